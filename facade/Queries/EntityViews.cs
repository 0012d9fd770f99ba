using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Queries;

/// <summary>The view tables of each entity kind: their field tables' values plus what is derived from them.</summary>
internal static class EntityViews
{
    public static readonly ViewTable Node = new(
        NodeFields.Table,
        [("cpu", "utilization"), ("memory", "utilization")],
        static (table, values) =>
        {
            // A collector that sends total and available but not used still gets a used value (docs/api.md 5: used = total - available).
            var total = values[table.Index("memory.totalBytes")];
            ref var used = ref values[table.Index("memory.usedBytes")];
            if (double.IsNaN(used) && total - values[table.Index("memory.availableBytes")] is >= 0 and var fromAvailable) used = fromAvailable;
            values[table.Index("cpu.utilization")] = ViewTable.Ratio(values[table.Index("cpu.usageCores")], values[table.Index("cpu.capacityCores")]);
            values[table.Index("memory.utilization")] = ViewTable.Ratio(used, total);
        });

    public static readonly ViewTable Pod = new(PodFields.Table);

    public static readonly ViewTable Container = new(ContainerFields.Table);

    /// <summary>Namespace and deployment sums.</summary>
    public static readonly RollupTable Rollup = new(Pod);
}

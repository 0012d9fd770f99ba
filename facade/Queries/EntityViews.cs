using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Queries;

/// <summary>The view tables of each entity kind: their field tables' values plus what is derived from them.</summary>
internal static class EntityViews
{
    public static readonly ViewTable Node = new(
        NodeFields.Table,
        [("cpu", "utilization"), ("memory", "utilization")],
        static table =>
        {
            var (total, available, used) = (table.Index("memory.totalBytes"), table.Index("memory.availableBytes"), table.Index("memory.usedBytes"));
            var (usageCores, capacity) = (table.Index("cpu.usageCores"), table.Index("cpu.capacityCores"));
            var (cpuUtilization, memoryUtilization) = (table.Index("cpu.utilization"), table.Index("memory.utilization"));
            return (values, _, _) =>
            {
                // A collector that sends total and available but not used still gets a used value (docs/api.md 5: used = total - available).
                if (double.IsNaN(values[used]) && values[total] - values[available] is >= 0 and var fromAvailable) values[used] = fromAvailable;
                values[cpuUtilization] = ViewTable.Ratio(values[usageCores], values[capacity]);
                values[memoryUtilization] = ViewTable.Ratio(values[used], values[total]);
            };
        });

    /// <summary>What pods and containers derive alike (docs/api.md section 6): usage against limits, and the share of throttled periods.</summary>
    private static readonly (string Section, string Name)[] WorkloadDerived =
        [("cpu", "limitUtilization"), ("cpu", "throttledPeriodsRatio"), ("memory", "limitUtilization")];

    public static readonly ViewTable Pod = new(PodFields.Table, WorkloadDerived, DeriveWorkload);

    public static readonly ViewTable Container = new(ContainerFields.Table, WorkloadDerived, DeriveWorkload);

    /// <summary>Namespace and deployment sums.</summary>
    public static readonly RollupTable Rollup = new(Pod);

    private static Derive DeriveWorkload(ViewTable table)
    {
        var (usageCores, limitCores, cpuUtilization) = (table.Index("cpu.usageCores"), table.Index("cpu.limitCores"), table.Index("cpu.limitUtilization"));
        var (workingSet, limitBytes, memoryUtilization) = (table.Index("memory.workingSetBytes"), table.Index("memory.limitBytes"), table.Index("memory.limitUtilization"));
        var throttledRatio = table.Index("cpu.throttledPeriodsRatio");
        var (throttledPeriods, periods) = (table.Fields.Column("cpu.throttledPeriodsTotal"), table.Fields.Column("cpu.periodsTotal"));
        return (values, previous, current) =>
        {
            // Usage over the limit: null without a limit (a limit of 0 is none either).
            values[cpuUtilization] = ViewTable.Ratio(values[usageCores], values[limitCores]);
            values[memoryUtilization] = ViewTable.Ratio(values[workingSet], values[limitBytes]);
            // Throttled periods over the periods of the same interval; none elapsed (an idle cgroup) gives no ratio.
            values[throttledRatio] = previous.IsEmpty
                ? double.NaN
                : ViewTable.Ratio(ViewTable.Increase(previous[throttledPeriods], current[throttledPeriods]), ViewTable.Increase(previous[periods], current[periods]));
        };
    }
}

namespace KubeMonitor.Facade.Queries;

/// <summary>min/avg/max of every rate and gauge over a window's points (counters' totals are not summarised).</summary>
internal static class Summaries
{
    private static readonly (string Section, string Field, Func<NodePoint, double?> Get)[] NodeFields =
    [
        ("cpu", "usageCores", p => p.Cpu.UsageCores),
        ("cpu", "capacityCores", p => p.Cpu.CapacityCores),
        ("cpu", "utilization", p => p.Cpu.Utilization),
        ("memory", "totalBytes", p => p.Memory.TotalBytes),
        ("memory", "availableBytes", p => p.Memory.AvailableBytes),
        ("memory", "usedBytes", p => p.Memory.UsedBytes),
        ("memory", "utilization", p => p.Memory.Utilization),
        ("disk", "readBytesPerSecond", p => p.Disk.ReadBytesPerSecond),
        ("disk", "writeBytesPerSecond", p => p.Disk.WriteBytesPerSecond),
        ("network", "rxBytesPerSecond", p => p.Network.RxBytesPerSecond),
        ("network", "txBytesPerSecond", p => p.Network.TxBytesPerSecond),
    ];

    private static readonly (string Section, string Field, Func<PodPoint, double?> Get)[] PodFields =
    [
        ("cpu", "usageCores", p => p.Cpu.UsageCores),
        ("memory", "workingSetBytes", p => p.Memory.WorkingSetBytes),
        ("memory", "usageBytes", p => p.Memory.UsageBytes),
        ("disk", "readBytesPerSecond", p => p.Disk.ReadBytesPerSecond),
        ("disk", "writeBytesPerSecond", p => p.Disk.WriteBytesPerSecond),
        ("network", "rxBytesPerSecond", p => p.Network.RxBytesPerSecond),
        ("network", "txBytesPerSecond", p => p.Network.TxBytesPerSecond),
    ];

    private static readonly (string Section, string Field, Func<AggregatePoint, double?> Get)[] AggregateFields =
    [
        ("cpu", "usageCores", p => p.Cpu.UsageCores),
        ("memory", "workingSetBytes", p => p.Memory.WorkingSetBytes),
        ("memory", "usageBytes", p => p.Memory.UsageBytes),
        ("disk", "readBytesPerSecond", p => p.Disk.ReadBytesPerSecond),
        ("disk", "writeBytesPerSecond", p => p.Disk.WriteBytesPerSecond),
        ("network", "rxBytesPerSecond", p => p.Network.RxBytesPerSecond),
        ("network", "txBytesPerSecond", p => p.Network.TxBytesPerSecond),
    ];

    public static Summary Of(IReadOnlyList<NodePoint> points) => Of(points, NodeFields);

    public static Summary Of(IReadOnlyList<PodPoint> points) => Of(points, PodFields);

    public static Summary Of(IReadOnlyList<AggregatePoint> points) => Of(points, AggregateFields);

    private static Summary Of<T>(IReadOnlyList<T> points, (string Section, string Field, Func<T, double?> Get)[] fields)
    {
        var summary = new Summary();
        foreach (var (section, field, get) in fields)
        {
            if (!summary.TryGetValue(section, out var stats)) summary[section] = stats = [];
            stats[field] = StatOf(points, get);
        }
        return summary;
    }

    private static Stat? StatOf<T>(IReadOnlyList<T> points, Func<T, double?> get)
    {
        double min = double.MaxValue, max = double.MinValue, sum = 0;
        var count = 0;
        foreach (var point in points)
        {
            if (get(point) is not { } v) continue;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
            count++;
        }
        return count == 0 ? null : new Stat(min, sum / count, max);
    }
}

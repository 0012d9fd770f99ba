using KubeMonitor.Facade.Queries;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// Turns stored rows (raw counters and gauges) into the values of the views. A rate is
/// <c>(v2 - v1) / (t2 - t1)</c> over two consecutive samples; a decrease is a reset and gives
/// no rate, never a negative one.
/// </summary>
internal static class SampleMath
{
    public static double? Rate(long previousMs, double previous, long currentMs, double current)
    {
        if (double.IsNaN(previous) || double.IsNaN(current) || currentMs <= previousMs || current < previous) return null;
        var rate = (current - previous) / ((currentMs - previousMs) / 1000.0);
        return double.IsFinite(rate) ? rate : null;
    }

    public static double? Value(double raw) => double.IsNaN(raw) ? null : raw;

    public static DateTime ToUtc(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime;

    /// <summary>A utilization in [0, 1]: jitter between sample times must not make it 1.02.</summary>
    public static double? Ratio(double? part, double? whole) =>
        part is { } p && whole is > 0 ? Math.Clamp(p / whole.Value, 0, 1) : null;

    /// <summary>One sample of a series as read: its timestamp and its values in the columns of Fields.cs.</summary>
    public readonly record struct Row(long TimestampMs, double[] Values)
    {
        public double this[int field] => Values[field];
    }

    public static Row RowAt(List<long> timestamps, List<double> values, int fieldCount, int index) =>
        new(timestamps[index], System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values).Slice(index * fieldCount, fieldCount).ToArray());

    private static double? RateOf(Row? previous, Row current, int field) =>
        previous is { } p ? Rate(p.TimestampMs, p[field], current.TimestampMs, current[field]) : null;

    public static (NodeCpu, NodeMemory, DiskIo, NetworkIo) Node(Row? previous, Row current)
    {
        var usageCores = RateOf(previous, current, NodeFields.CpuSecondsTotal);
        var capacity = Value(current[NodeFields.CpuCapacityCores]);
        var total = Value(current[NodeFields.MemoryTotalBytes]);
        var available = Value(current[NodeFields.MemoryAvailableBytes]);
        // A collector that sends total and available but not used still gets a used value (docs/api.md 5: used = total - available).
        var used = Value(current[NodeFields.MemoryUsedBytes]) ?? (total - available is >= 0 and var u ? u : null);
        return (
            new NodeCpu(usageCores, capacity, Ratio(usageCores, capacity), Value(current[NodeFields.CpuSecondsTotal])),
            new NodeMemory(total, available, used, Ratio(used, total)),
            new DiskIo(
                RateOf(previous, current, NodeFields.DiskReadBytesTotal), RateOf(previous, current, NodeFields.DiskWriteBytesTotal),
                Value(current[NodeFields.DiskReadBytesTotal]), Value(current[NodeFields.DiskWriteBytesTotal])),
            new NetworkIo(
                RateOf(previous, current, NodeFields.NetworkRxBytesTotal), RateOf(previous, current, NodeFields.NetworkTxBytesTotal),
                Value(current[NodeFields.NetworkRxBytesTotal]), Value(current[NodeFields.NetworkTxBytesTotal])));
    }

    public static (CpuUsage, PodMemory, DiskIo, NetworkIo) Pod(Row? previous, Row current) => (
        new CpuUsage(RateOf(previous, current, PodFields.CpuSecondsTotal), Value(current[PodFields.CpuSecondsTotal])),
        new PodMemory(Value(current[PodFields.MemoryWorkingSetBytes]), Value(current[PodFields.MemoryUsageBytes])),
        new DiskIo(
            RateOf(previous, current, PodFields.DiskReadBytesTotal), RateOf(previous, current, PodFields.DiskWriteBytesTotal),
            Value(current[PodFields.DiskReadBytesTotal]), Value(current[PodFields.DiskWriteBytesTotal])),
        new NetworkIo(
            RateOf(previous, current, PodFields.NetworkRxBytesTotal), RateOf(previous, current, PodFields.NetworkTxBytesTotal),
            Value(current[PodFields.NetworkRxBytesTotal]), Value(current[PodFields.NetworkTxBytesTotal])));

    public static ContainerView Container(string name, Row? previous, Row current) => new(
        name,
        new CpuUsage(RateOf(previous, current, ContainerFields.CpuSecondsTotal), Value(current[ContainerFields.CpuSecondsTotal])),
        new ContainerMemory(Value(current[ContainerFields.MemoryWorkingSetBytes])));
}

using KubeMonitor.Facade.Queries;

namespace KubeMonitor.Facade.Api;

/// <summary>
/// The read port's results as the JSON views of docs/api.md sections 3 and 6: each value taken
/// from its place in the entity's view table, NaN written as null.
/// </summary>
internal static class ViewMapping
{
    private static readonly NodeIndexes N = new(EntityViews.Node);
    private static readonly PodIndexes P = new(EntityViews.Pod);
    private static readonly ContainerIndexes C = new(EntityViews.Container);
    private static readonly RollupIndexes R = new(EntityViews.Rollup);

    public static DateTime ToUtc(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime;

    private static double? V(double value) => double.IsNaN(value) ? null : value;

    public static NodeView Node(NodeResult node) =>
        new(node.Name, ToUtc(node.Latest.TimestampMs), NodeCpu(node.Latest), NodeMemory(node.Latest), NodeDisk(node.Latest), NodeNetwork(node.Latest), node.Labels);

    public static NodePoint NodePoint(Point p) => new(ToUtc(p.TimestampMs), NodeCpu(p), NodeMemory(p), NodeDisk(p), NodeNetwork(p));

    public static NodeSeries NodeSeries(string name, Windowed series) =>
        new(name, series.WindowSeconds, series.StepSeconds, [.. series.Points.Select(NodePoint)], series.Summary);

    private static NodeCpu NodeCpu(Point p) => new(V(p[N.UsageCores]), V(p[N.CapacityCores]), V(p[N.CpuUtilization]), V(p[N.UsageSecondsTotal]));

    private static NodeMemory NodeMemory(Point p) => new(V(p[N.TotalBytes]), V(p[N.AvailableBytes]), V(p[N.UsedBytes]), V(p[N.MemoryUtilization]));

    private static DiskIo NodeDisk(Point p) => new(V(p[N.Disk.ReadRate]), V(p[N.Disk.WriteRate]), V(p[N.Disk.ReadTotal]), V(p[N.Disk.WriteTotal]));

    private static NetworkIo NodeNetwork(Point p) => new(V(p[N.Network.RxRate]), V(p[N.Network.TxRate]), V(p[N.Network.RxTotal]), V(p[N.Network.TxTotal]));

    public static PodView Pod(PodResult pod) => new(
        pod.Pod.Name, pod.Pod.Namespace, pod.Pod.Node, pod.Pod.Uid, pod.Deployment, pod.Pod.Labels, ToUtc(pod.Latest.TimestampMs),
        Cpu(pod.Latest, P.Cpu), PodMemory(pod.Latest), PodDisk(pod.Latest), PodNetwork(pod.Latest), Pressure(pod.Latest), Containers(pod.Containers));

    public static PodSeries PodSeries(PodWindow window)
    {
        var pod = window.Latest;
        var points = window.Series.Points.Select((p, i) => new PodPoint(
            ToUtc(p.TimestampMs), Cpu(p, P.Cpu), PodMemory(p), PodDisk(p), PodNetwork(p), Pressure(p), Containers(window.ContainersAt[i]))).ToList();
        return new PodSeries(
            pod.Pod.Name, pod.Pod.Namespace, pod.Pod.Node, pod.Pod.Uid, pod.Deployment, pod.Pod.Labels,
            window.Series.WindowSeconds, window.Series.StepSeconds, points, window.Series.Summary);
    }

    private static WorkloadCpu Cpu(Point p, CpuIndexes c) => new(
        V(p[c.UsageCores]), V(p[c.UsageSecondsTotal]), V(p[c.RequestCores]), V(p[c.LimitCores]), V(p[c.LimitUtilization]),
        V(p[c.ThrottledRate]), V(p[c.ThrottledPeriodsRatio]), V(p[c.ThrottledSecondsTotal]), V(p[c.ThrottledPeriodsTotal]), V(p[c.PeriodsTotal]));

    private static PodMemory PodMemory(Point p) => new(
        V(p[P.Memory.WorkingSetBytes]), V(p[P.UsageBytes]), V(p[P.Memory.RequestBytes]), V(p[P.Memory.LimitBytes]), V(p[P.Memory.LimitUtilization]),
        V(p[P.Memory.OomKills]), V(p[P.Memory.OomKillsTotal]));

    private static DiskIo PodDisk(Point p) => new(V(p[P.Disk.ReadRate]), V(p[P.Disk.WriteRate]), V(p[P.Disk.ReadTotal]), V(p[P.Disk.WriteTotal]));

    private static NetworkIo PodNetwork(Point p) => new(V(p[P.Network.RxRate]), V(p[P.Network.TxRate]), V(p[P.Network.RxTotal]), V(p[P.Network.TxTotal]));

    /// <summary>Null where the kernel reports no pressure: a resource without totals, and the whole without any resource.</summary>
    private static PressureView? Pressure(Point p)
    {
        var (cpu, memory, io) = (Stall(p, P.CpuPressure), Stall(p, P.MemoryPressure), Stall(p, P.IoPressure));
        return cpu is null && memory is null && io is null ? null : new PressureView(cpu, memory, io);
    }

    private static StallView? Stall(Point p, StallIndexes s) =>
        double.IsNaN(p[s.WaitingTotal]) && double.IsNaN(p[s.StalledTotal])
            ? null
            : new StallView(V(p[s.WaitingRate]), V(p[s.StalledRate]), V(p[s.WaitingTotal]), V(p[s.StalledTotal]));

    private static List<ContainerView> Containers(IReadOnlyList<ContainerResult> containers) =>
        [.. containers.Select(c => new ContainerView(c.Name, Cpu(c.Latest, C.Cpu), ContainerMemory(c.Latest)))];

    private static ContainerMemory ContainerMemory(Point p) => new(
        V(p[C.Memory.WorkingSetBytes]), V(p[C.Memory.RequestBytes]), V(p[C.Memory.LimitBytes]), V(p[C.Memory.LimitUtilization]),
        V(p[C.Memory.OomKills]), V(p[C.Memory.OomKillsTotal]));

    public static NamespaceView Namespace(GroupResult group)
    {
        var (cpu, memory, disk, network) = Sums(group.Sums);
        return new NamespaceView(group.Name, group.Pods.Count, group.Pods, cpu, memory, disk, network);
    }

    public static DeploymentView Deployment(string @namespace, GroupResult group)
    {
        var (cpu, memory, disk, network) = Sums(group.Sums);
        return new DeploymentView(group.Name, @namespace, group.Pods.Count, group.Pods, cpu, memory, disk, network);
    }

    public static NamespaceSeries NamespaceSeries(string name, Windowed series) =>
        new(name, series.WindowSeconds, series.StepSeconds, AggregatePoints(series), series.Summary);

    public static DeploymentSeries DeploymentSeries(string name, string @namespace, Windowed series) =>
        new(name, @namespace, series.WindowSeconds, series.StepSeconds, AggregatePoints(series), series.Summary);

    private static List<AggregatePoint> AggregatePoints(Windowed series) =>
        [.. series.Points.Select(p =>
        {
            var (cpu, memory, disk, network) = Sums(p.Values);
            return new AggregatePoint(ToUtc(p.TimestampMs), cpu, memory, disk, network);
        })];

    private static (AggregateCpu, AggregateMemory, AggregateDisk, AggregateNetwork) Sums(double[] s) => (
        new AggregateCpu(V(s[R.UsageCores]), V(s[R.RequestCores]), V(s[R.LimitCores])),
        new AggregateMemory(V(s[R.WorkingSetBytes]), V(s[R.UsageBytes]), V(s[R.RequestBytes]), V(s[R.LimitBytes])),
        new AggregateDisk(V(s[R.ReadRate]), V(s[R.WriteRate])),
        new AggregateNetwork(V(s[R.RxRate]), V(s[R.TxRate])));

    // Where each JSON value sits in a view table's values, looked up once by path.

    private sealed class DiskIndexes(Func<string, int> at)
    {
        public int ReadRate { get; } = at("disk.readBytesPerSecond");
        public int WriteRate { get; } = at("disk.writeBytesPerSecond");
        public int ReadTotal { get; } = at("disk.readBytesTotal");
        public int WriteTotal { get; } = at("disk.writeBytesTotal");
    }

    private sealed class NetworkIndexes(Func<string, int> at)
    {
        public int RxRate { get; } = at("network.rxBytesPerSecond");
        public int TxRate { get; } = at("network.txBytesPerSecond");
        public int RxTotal { get; } = at("network.rxBytesTotal");
        public int TxTotal { get; } = at("network.txBytesTotal");
    }

    /// <summary>A pod's or container's CPU values.</summary>
    private sealed class CpuIndexes(Func<string, int> at)
    {
        public int UsageCores { get; } = at("cpu.usageCores");
        public int UsageSecondsTotal { get; } = at("cpu.usageSecondsTotal");
        public int RequestCores { get; } = at("cpu.requestCores");
        public int LimitCores { get; } = at("cpu.limitCores");
        public int LimitUtilization { get; } = at("cpu.limitUtilization");
        public int ThrottledRate { get; } = at("cpu.throttledSecondsPerSecond");
        public int ThrottledPeriodsRatio { get; } = at("cpu.throttledPeriodsRatio");
        public int ThrottledSecondsTotal { get; } = at("cpu.throttledSecondsTotal");
        public int ThrottledPeriodsTotal { get; } = at("cpu.throttledPeriodsTotal");
        public int PeriodsTotal { get; } = at("cpu.periodsTotal");
    }

    /// <summary>The memory values pods and containers share.</summary>
    private sealed class MemoryIndexes(Func<string, int> at)
    {
        public int WorkingSetBytes { get; } = at("memory.workingSetBytes");
        public int RequestBytes { get; } = at("memory.requestBytes");
        public int LimitBytes { get; } = at("memory.limitBytes");
        public int LimitUtilization { get; } = at("memory.limitUtilization");
        public int OomKills { get; } = at("memory.oomKills");
        public int OomKillsTotal { get; } = at("memory.oomKillsTotal");
    }

    private sealed class StallIndexes(Func<string, int> at, string resource)
    {
        public int WaitingRate { get; } = at($"pressure.{resource}.waitingSecondsPerSecond");
        public int StalledRate { get; } = at($"pressure.{resource}.stalledSecondsPerSecond");
        public int WaitingTotal { get; } = at($"pressure.{resource}.waitingSecondsTotal");
        public int StalledTotal { get; } = at($"pressure.{resource}.stalledSecondsTotal");
    }

    private sealed class NodeIndexes(ViewTable t)
    {
        public int UsageCores { get; } = t.Index("cpu.usageCores");
        public int CapacityCores { get; } = t.Index("cpu.capacityCores");
        public int CpuUtilization { get; } = t.Index("cpu.utilization");
        public int UsageSecondsTotal { get; } = t.Index("cpu.usageSecondsTotal");
        public int TotalBytes { get; } = t.Index("memory.totalBytes");
        public int AvailableBytes { get; } = t.Index("memory.availableBytes");
        public int UsedBytes { get; } = t.Index("memory.usedBytes");
        public int MemoryUtilization { get; } = t.Index("memory.utilization");
        public DiskIndexes Disk { get; } = new(t.Index);
        public NetworkIndexes Network { get; } = new(t.Index);
    }

    private sealed class PodIndexes(ViewTable t)
    {
        public CpuIndexes Cpu { get; } = new(t.Index);
        public MemoryIndexes Memory { get; } = new(t.Index);
        public int UsageBytes { get; } = t.Index("memory.usageBytes");
        public DiskIndexes Disk { get; } = new(t.Index);
        public NetworkIndexes Network { get; } = new(t.Index);
        public StallIndexes CpuPressure { get; } = new(t.Index, "cpu");
        public StallIndexes MemoryPressure { get; } = new(t.Index, "memory");
        public StallIndexes IoPressure { get; } = new(t.Index, "io");
    }

    private sealed class ContainerIndexes(ViewTable t)
    {
        public CpuIndexes Cpu { get; } = new(t.Index);
        public MemoryIndexes Memory { get; } = new(t.Index);
    }

    private sealed class RollupIndexes(RollupTable t)
    {
        public int UsageCores { get; } = t.Index("cpu.usageCores");
        public int RequestCores { get; } = t.Index("cpu.requestCores");
        public int LimitCores { get; } = t.Index("cpu.limitCores");
        public int WorkingSetBytes { get; } = t.Index("memory.workingSetBytes");
        public int UsageBytes { get; } = t.Index("memory.usageBytes");
        public int RequestBytes { get; } = t.Index("memory.requestBytes");
        public int LimitBytes { get; } = t.Index("memory.limitBytes");
        public int ReadRate { get; } = t.Index("disk.readBytesPerSecond");
        public int WriteRate { get; } = t.Index("disk.writeBytesPerSecond");
        public int RxRate { get; } = t.Index("network.rxBytesPerSecond");
        public int TxRate { get; } = t.Index("network.txBytesPerSecond");
    }
}

using KubeMonitor.Facade.Queries;

namespace KubeMonitor.Facade.Api;

/// <summary>
/// The read port's results as the JSON views of docs/api.md section 3: each value taken from its
/// place in the entity's view table, NaN written as null.
/// </summary>
internal static class ViewMapping
{
    private static readonly NodeIndexes N = new(EntityViews.Node);
    private static readonly PodIndexes P = new(EntityViews.Pod);
    private static readonly ContainerIndexes C = new(EntityViews.Container);
    private static readonly RollupIndexes R = new(EntityViews.Rollup);

    public static DateTime ToUtc(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime;

    private static double? V(double value) => double.IsNaN(value) ? null : value;

    public static NodeView Node(NodeResult node) => Node(node.Name, node.Latest);

    public static NodeView Node(string name, Point p) =>
        new(name, ToUtc(p.TimestampMs), NodeCpu(p), NodeMemory(p), NodeDisk(p), NodeNetwork(p));

    public static NodePoint NodePoint(Point p) => new(ToUtc(p.TimestampMs), NodeCpu(p), NodeMemory(p), NodeDisk(p), NodeNetwork(p));

    public static NodeSeries NodeSeries(string name, Windowed series) =>
        new(name, series.WindowSeconds, series.StepSeconds, [.. series.Points.Select(NodePoint)], series.Summary);

    private static NodeCpu NodeCpu(Point p) => new(V(p[N.UsageCores]), V(p[N.CapacityCores]), V(p[N.CpuUtilization]), V(p[N.UsageSecondsTotal]));

    private static NodeMemory NodeMemory(Point p) => new(V(p[N.TotalBytes]), V(p[N.AvailableBytes]), V(p[N.UsedBytes]), V(p[N.MemoryUtilization]));

    private static DiskIo NodeDisk(Point p) => new(V(p[N.Disk.ReadRate]), V(p[N.Disk.WriteRate]), V(p[N.Disk.ReadTotal]), V(p[N.Disk.WriteTotal]));

    private static NetworkIo NodeNetwork(Point p) => new(V(p[N.Network.RxRate]), V(p[N.Network.TxRate]), V(p[N.Network.RxTotal]), V(p[N.Network.TxTotal]));

    public static PodView Pod(PodResult pod) => new(
        pod.Pod.Name, pod.Pod.Namespace, pod.Pod.Node, pod.Pod.Uid, pod.Deployment, ToUtc(pod.Latest.TimestampMs),
        PodCpu(pod.Latest), PodMemory(pod.Latest), PodDisk(pod.Latest), PodNetwork(pod.Latest), Containers(pod.Containers));

    public static PodSeries PodSeries(PodWindow window)
    {
        var pod = window.Latest;
        var points = window.Series.Points.Select((p, i) => new PodPoint(
            ToUtc(p.TimestampMs), PodCpu(p), PodMemory(p), PodDisk(p), PodNetwork(p), Containers(window.ContainersAt[i]))).ToList();
        return new PodSeries(
            pod.Pod.Name, pod.Pod.Namespace, pod.Pod.Node, pod.Pod.Uid, pod.Deployment,
            window.Series.WindowSeconds, window.Series.StepSeconds, points, window.Series.Summary);
    }

    private static CpuUsage PodCpu(Point p) => new(V(p[P.UsageCores]), V(p[P.UsageSecondsTotal]));

    private static PodMemory PodMemory(Point p) => new(V(p[P.WorkingSetBytes]), V(p[P.UsageBytes]));

    private static DiskIo PodDisk(Point p) => new(V(p[P.Disk.ReadRate]), V(p[P.Disk.WriteRate]), V(p[P.Disk.ReadTotal]), V(p[P.Disk.WriteTotal]));

    private static NetworkIo PodNetwork(Point p) => new(V(p[P.Network.RxRate]), V(p[P.Network.TxRate]), V(p[P.Network.RxTotal]), V(p[P.Network.TxTotal]));

    private static List<ContainerView> Containers(IReadOnlyList<ContainerResult> containers) =>
        [.. containers.Select(c => new ContainerView(c.Name, new CpuUsage(V(c.Latest[C.UsageCores]), V(c.Latest[C.UsageSecondsTotal])), new ContainerMemory(V(c.Latest[C.WorkingSetBytes]))))];

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

    private static (AggregateCpu, PodMemory, AggregateDisk, AggregateNetwork) Sums(double[] s) => (
        new AggregateCpu(V(s[R.UsageCores])),
        new PodMemory(V(s[R.WorkingSetBytes]), V(s[R.UsageBytes])),
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
        public int UsageCores { get; } = t.Index("cpu.usageCores");
        public int UsageSecondsTotal { get; } = t.Index("cpu.usageSecondsTotal");
        public int WorkingSetBytes { get; } = t.Index("memory.workingSetBytes");
        public int UsageBytes { get; } = t.Index("memory.usageBytes");
        public DiskIndexes Disk { get; } = new(t.Index);
        public NetworkIndexes Network { get; } = new(t.Index);
    }

    private sealed class ContainerIndexes(ViewTable t)
    {
        public int UsageCores { get; } = t.Index("cpu.usageCores");
        public int UsageSecondsTotal { get; } = t.Index("cpu.usageSecondsTotal");
        public int WorkingSetBytes { get; } = t.Index("memory.workingSetBytes");
    }

    private sealed class RollupIndexes(RollupTable t)
    {
        public int UsageCores { get; } = t.Index("cpu.usageCores");
        public int WorkingSetBytes { get; } = t.Index("memory.workingSetBytes");
        public int UsageBytes { get; } = t.Index("memory.usageBytes");
        public int ReadRate { get; } = t.Index("disk.readBytesPerSecond");
        public int WriteRate { get; } = t.Index("disk.writeBytesPerSecond");
        public int RxRate { get; } = t.Index("network.rxBytesPerSecond");
        public int TxRate { get; } = t.Index("network.txBytesPerSecond");
    }
}

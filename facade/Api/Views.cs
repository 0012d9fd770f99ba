using System.Text.Json.Serialization;

using KubeMonitor.Facade.Queries;

namespace KubeMonitor.Facade.Api;

// The JSON answers of docs/api.md section 3. Every value is nullable: a rate that cannot be
// computed (one sample, a counter reset, a section the collector did not send) is null, not 0.
// Timestamps are UTC DateTimes so that they are written as RFC 3339 with a "Z".

public sealed record ItemList<T>(IEnumerable<T> Items);

/// <summary>A page of a list (<c>?limit=</c>): <c>continue</c> is present while more items follow.</summary>
public sealed record ItemPage<T>(
    IReadOnlyList<T> Items,
    [property: JsonPropertyName("continue"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Continue);

public sealed record NodeCpu(double? UsageCores, double? CapacityCores, double? Utilization, double? UsageSecondsTotal);

public sealed record NodeMemory(double? TotalBytes, double? AvailableBytes, double? UsedBytes, double? Utilization);

public sealed record DiskIo(double? ReadBytesPerSecond, double? WriteBytesPerSecond, double? ReadBytesTotal, double? WriteBytesTotal);

public sealed record NetworkIo(double? RxBytesPerSecond, double? TxBytesPerSecond, double? RxBytesTotal, double? TxBytesTotal);

public sealed record NodeView(string Name, DateTime Timestamp, NodeCpu Cpu, NodeMemory Memory, DiskIo Disk, NetworkIo Network);

public sealed record NodePoint(DateTime Timestamp, NodeCpu Cpu, NodeMemory Memory, DiskIo Disk, NetworkIo Network);

public sealed record NodeSeries(string Name, int WindowSeconds, int StepSeconds, IReadOnlyList<NodePoint> Points, Summary Summary);

public sealed record CpuUsage(double? UsageCores, double? UsageSecondsTotal);

public sealed record PodMemory(double? WorkingSetBytes, double? UsageBytes);

public sealed record ContainerMemory(double? WorkingSetBytes);

public sealed record ContainerView(string Name, CpuUsage Cpu, ContainerMemory Memory);

public sealed record PodView(
    string Name, string Namespace, string? Node, string? Uid, string? Deployment, DateTime Timestamp,
    CpuUsage Cpu, PodMemory Memory, DiskIo Disk, NetworkIo Network, IReadOnlyList<ContainerView> Containers);

public sealed record PodPoint(DateTime Timestamp, CpuUsage Cpu, PodMemory Memory, DiskIo Disk, NetworkIo Network, IReadOnlyList<ContainerView> Containers);

public sealed record PodSeries(
    string Name, string Namespace, string? Node, string? Uid, string? Deployment,
    int WindowSeconds, int StepSeconds, IReadOnlyList<PodPoint> Points, Summary Summary);

public sealed record AggregateCpu(double? UsageCores);

public sealed record AggregateDisk(double? ReadBytesPerSecond, double? WriteBytesPerSecond);

public sealed record AggregateNetwork(double? RxBytesPerSecond, double? TxBytesPerSecond);

/// <summary>Sums over pods: a field is null when no pod has a value for it.</summary>
public sealed record AggregateValues(AggregateCpu Cpu, PodMemory Memory, AggregateDisk Disk, AggregateNetwork Network);

public sealed record NamespaceView(
    string Name, int PodCount, IReadOnlyList<string> Pods,
    AggregateCpu Cpu, PodMemory Memory, AggregateDisk Disk, AggregateNetwork Network);

public sealed record DeploymentView(
    string Name, string Namespace, int PodCount, IReadOnlyList<string> Pods,
    AggregateCpu Cpu, PodMemory Memory, AggregateDisk Disk, AggregateNetwork Network);

public sealed record AggregatePoint(DateTime Timestamp, AggregateCpu Cpu, PodMemory Memory, AggregateDisk Disk, AggregateNetwork Network);

public sealed record NamespaceSeries(string Name, int WindowSeconds, int StepSeconds, IReadOnlyList<AggregatePoint> Points, Summary Summary);

public sealed record DeploymentSeries(
    string Name, string Namespace, int WindowSeconds, int StepSeconds, IReadOnlyList<AggregatePoint> Points, Summary Summary);

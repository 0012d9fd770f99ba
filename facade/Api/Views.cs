using System.Text.Json.Serialization;

using KubeMonitor.Facade.Queries;

namespace KubeMonitor.Facade.Api;

// The JSON answers of docs/api.md sections 3 and 6. Every value is nullable: a rate that cannot be
// computed (one sample, a counter reset, a section the collector did not send) is null, not 0.
// Timestamps are UTC DateTimes so that they are written as RFC 3339 with a "Z". Labels are null
// when the collector sent none.

public sealed record ItemList<T>(IEnumerable<T> Items);

/// <summary>A page of a list (<c>?limit=</c>): <c>continue</c> is present while more items follow.</summary>
public sealed record ItemPage<T>(
    IReadOnlyList<T> Items,
    [property: JsonPropertyName("continue"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Continue);

public sealed record NodeCpu(double? UsageCores, double? CapacityCores, double? Utilization, double? UsageSecondsTotal);

public sealed record NodeMemory(double? TotalBytes, double? AvailableBytes, double? UsedBytes, double? Utilization);

public sealed record DiskIo(double? ReadBytesPerSecond, double? WriteBytesPerSecond, double? ReadBytesTotal, double? WriteBytesTotal);

public sealed record NetworkIo(double? RxBytesPerSecond, double? TxBytesPerSecond, double? RxBytesTotal, double? TxBytesTotal);

public sealed record NodeView(
    string Name, DateTime Timestamp, NodeCpu Cpu, NodeMemory Memory, DiskIo Disk, NetworkIo Network, IReadOnlyDictionary<string, string>? Labels);

public sealed record NodePoint(DateTime Timestamp, NodeCpu Cpu, NodeMemory Memory, DiskIo Disk, NetworkIo Network);

public sealed record NodeSeries(string Name, int WindowSeconds, int StepSeconds, IReadOnlyList<NodePoint> Points, Summary Summary);

/// <summary>A pod's or container's CPU: usage, requests and limits, and throttling by its CPU quota.</summary>
public sealed record WorkloadCpu(
    double? UsageCores, double? UsageSecondsTotal, double? RequestCores, double? LimitCores, double? LimitUtilization,
    double? ThrottledSecondsPerSecond, double? ThrottledPeriodsRatio, double? ThrottledSecondsTotal, double? ThrottledPeriodsTotal, double? PeriodsTotal);

/// <summary><see cref="OomKills"/>: kills in the interval up to this sample (an increase, not a rate).</summary>
public sealed record PodMemory(
    double? WorkingSetBytes, double? UsageBytes, double? RequestBytes, double? LimitBytes, double? LimitUtilization, double? OomKills, double? OomKillsTotal);

public sealed record ContainerMemory(
    double? WorkingSetBytes, double? RequestBytes, double? LimitBytes, double? LimitUtilization, double? OomKills, double? OomKillsTotal);

/// <summary>One resource's pressure stall counters (PSI): <c>some</c> task waiting, <c>full</c> (all) stalled.</summary>
public sealed record StallView(double? WaitingSecondsPerSecond, double? StalledSecondsPerSecond, double? WaitingSecondsTotal, double? StalledSecondsTotal);

/// <summary>A pod's pressure; a resource is null where the kernel reports none, and the whole is null when it reports none at all.</summary>
public sealed record PressureView(StallView? Cpu, StallView? Memory, StallView? Io);

public sealed record ContainerView(string Name, WorkloadCpu Cpu, ContainerMemory Memory);

public sealed record PodView(
    string Name, string Namespace, string? Node, string? Uid, string? Deployment, IReadOnlyDictionary<string, string>? Labels, DateTime Timestamp,
    WorkloadCpu Cpu, PodMemory Memory, DiskIo Disk, NetworkIo Network, PressureView? Pressure, IReadOnlyList<ContainerView> Containers);

public sealed record PodPoint(
    DateTime Timestamp, WorkloadCpu Cpu, PodMemory Memory, DiskIo Disk, NetworkIo Network, PressureView? Pressure, IReadOnlyList<ContainerView> Containers);

/// <summary>The labels are the pod's newest, as its other identity fields.</summary>
public sealed record PodSeries(
    string Name, string Namespace, string? Node, string? Uid, string? Deployment, IReadOnlyDictionary<string, string>? Labels,
    int WindowSeconds, int StepSeconds, IReadOnlyList<PodPoint> Points, Summary Summary);

public sealed record AggregateCpu(double? UsageCores, double? RequestCores, double? LimitCores);

public sealed record AggregateMemory(double? WorkingSetBytes, double? UsageBytes, double? RequestBytes, double? LimitBytes);

public sealed record AggregateDisk(double? ReadBytesPerSecond, double? WriteBytesPerSecond);

public sealed record AggregateNetwork(double? RxBytesPerSecond, double? TxBytesPerSecond);

/// <summary>Sums over pods: a field is null when no pod has a value for it.</summary>
public sealed record AggregateValues(AggregateCpu Cpu, AggregateMemory Memory, AggregateDisk Disk, AggregateNetwork Network);

public sealed record NamespaceView(
    string Name, int PodCount, IReadOnlyList<string> Pods,
    AggregateCpu Cpu, AggregateMemory Memory, AggregateDisk Disk, AggregateNetwork Network);

public sealed record DeploymentView(
    string Name, string Namespace, int PodCount, IReadOnlyList<string> Pods,
    AggregateCpu Cpu, AggregateMemory Memory, AggregateDisk Disk, AggregateNetwork Network);

public sealed record AggregatePoint(DateTime Timestamp, AggregateCpu Cpu, AggregateMemory Memory, AggregateDisk Disk, AggregateNetwork Network);

public sealed record NamespaceSeries(string Name, int WindowSeconds, int StepSeconds, IReadOnlyList<AggregatePoint> Points, Summary Summary);

public sealed record DeploymentSeries(
    string Name, string Namespace, int WindowSeconds, int StepSeconds, IReadOnlyList<AggregatePoint> Points, Summary Summary);

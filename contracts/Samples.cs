namespace KubeMonitor.Contracts;

// The push contract of docs/api.md section 2. Every number is nullable: a collector omits what it
// cannot read, and the facade tells "absent" apart from 0. Counters ("...Total") are sent
// exactly as the kernel reports them (converted to base units); the facade derives rates.

/// <summary>One push of a node and all its pods (<c>POST /api/nodes/{node}/batch</c>).</summary>
public sealed record Batch
{
    /// <summary>Collection time; samples without their own timestamp take this one.</summary>
    public DateTimeOffset? Timestamp { get; init; }
    /// <summary>
    /// The sender's clock when it sent this request (a replayed batch is sent later than it was
    /// collected). The facade shifts every timestamp by how far this is from its own clock
    /// (docs/api.md section 1), so a node's wrong clock neither loses nor freezes its samples.
    /// </summary>
    public DateTimeOffset? SentAt { get; init; }
    public NodeSample? Node { get; init; }
    public IReadOnlyList<PodSample>? Pods { get; init; }
}

/// <summary>A node's sample (<c>POST /api/nodes/{node}</c>, or the <c>node</c> of a batch).</summary>
public sealed record NodeSample
{
    public DateTimeOffset? Timestamp { get; init; }
    /// <summary>The node's Kubernetes labels (docs/api.md section 6).</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public CpuSection? Cpu { get; init; }
    public MemorySection? Memory { get; init; }
    public DiskSection? Disk { get; init; }
    public NetworkSection? Network { get; init; }
}

/// <summary>A pod's sample (<c>POST /api/pods/{pod}</c>, or an entry of a batch's <c>pods</c>).</summary>
public sealed record PodSample
{
    /// <summary>Only in a batch; the seed endpoint takes the name from its path.</summary>
    public string? Name { get; init; }
    public DateTimeOffset? Timestamp { get; init; }
    /// <summary>Required.</summary>
    public string? Namespace { get; init; }
    /// <summary>In a batch, the path's node wins.</summary>
    public string? Node { get; init; }
    public string? Uid { get; init; }
    public string? OwnerKind { get; init; }
    public string? OwnerName { get; init; }
    /// <summary>Optional; the facade resolves it from a ReplicaSet owner when absent (docs/api.md section 5).</summary>
    public string? Deployment { get; init; }
    /// <summary>The pod's Kubernetes labels (docs/api.md section 6).</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    /// <summary>Requests and limits: sums over the pod's containers, a value absent when a container has none.</summary>
    public ResourcesSection? Resources { get; init; }
    public CpuSection? Cpu { get; init; }
    public MemorySection? Memory { get; init; }
    public DiskSection? Disk { get; init; }
    public NetworkSection? Network { get; init; }
    /// <summary>Pressure stall counters of the pod's cgroup (v2 only).</summary>
    public PressureSection? Pressure { get; init; }
    public IReadOnlyList<ContainerSample>? Containers { get; init; }
}

public sealed record ContainerSample
{
    public string? Name { get; init; }
    public ResourcesSection? Resources { get; init; }
    public CpuSection? Cpu { get; init; }
    public MemorySection? Memory { get; init; }
}

public sealed record CpuSection
{
    /// <summary>Cumulative CPU time in seconds (counter).</summary>
    public double? UsageSecondsTotal { get; init; }
    /// <summary>Number of CPUs (nodes only).</summary>
    public double? CapacityCores { get; init; }
    /// <summary>Time the cgroup was throttled by its CPU quota, in seconds (counter; pods and containers).</summary>
    public double? ThrottledSecondsTotal { get; init; }
    /// <summary>Enforcement periods in which the cgroup was throttled (counter).</summary>
    public double? ThrottledPeriodsTotal { get; init; }
    /// <summary>Enforcement periods that elapsed while the cgroup had runnable tasks (counter).</summary>
    public double? PeriodsTotal { get; init; }
}

public sealed record MemorySection
{
    public double? TotalBytes { get; init; }
    public double? AvailableBytes { get; init; }
    public double? UsedBytes { get; init; }
    public double? UsageBytes { get; init; }
    public double? WorkingSetBytes { get; init; }
    /// <summary>Processes of the cgroup killed by the OOM killer (counter; pods and containers).</summary>
    public double? OomKillsTotal { get; init; }
}

public sealed record DiskSection
{
    public double? ReadBytesTotal { get; init; }
    public double? WriteBytesTotal { get; init; }
}

public sealed record NetworkSection
{
    public double? RxBytesTotal { get; init; }
    public double? TxBytesTotal { get; init; }
}

/// <summary>Kubernetes requests and limits (docs/api.md section 6), in cores and bytes.</summary>
public sealed record ResourcesSection
{
    public double? CpuRequestCores { get; init; }
    public double? CpuLimitCores { get; init; }
    public double? MemoryRequestBytes { get; init; }
    public double? MemoryLimitBytes { get; init; }
}

/// <summary>Pressure stall information of a cgroup (cpu.pressure, memory.pressure, io.pressure).</summary>
public sealed record PressureSection
{
    public PressureStall? Cpu { get; init; }
    public PressureStall? Memory { get; init; }
    public PressureStall? Io { get; init; }
}

/// <summary>One resource's stall counters, in seconds: <c>some</c> (at least one task waiting) and <c>full</c> (all stalled).</summary>
public sealed record PressureStall
{
    public double? WaitingSecondsTotal { get; init; }
    public double? StalledSecondsTotal { get; init; }
}

namespace KubeMonitor.Contracts;

// The push contract of docs/api.md section 2. Every number is nullable: a collector omits what it
// cannot read, and the facade tells "absent" apart from 0. Counters ("...Total") are sent
// exactly as the kernel reports them (converted to base units); the facade derives rates.
// Settable properties, not init-only: System.Text.Json builds an init-only type through its
// constructor path, an argument array per object and a box per number, for every pod of every push.

/// <summary>One push of a node and all its pods (<c>POST /api/nodes/{node}/batch</c>).</summary>
public sealed record Batch
{
    /// <summary>Collection time; samples without their own timestamp take this one.</summary>
    public DateTimeOffset? Timestamp { get; set; }
    /// <summary>
    /// The sender's clock when it sent this request (a replayed batch is sent later than it was
    /// collected). The facade shifts every timestamp by how far this is from its own clock
    /// (docs/api.md section 1), so a node's wrong clock neither loses nor freezes its samples.
    /// </summary>
    public DateTimeOffset? SentAt { get; set; }
    public NodeSample? Node { get; set; }
    public IReadOnlyList<PodSample>? Pods { get; set; }
}

/// <summary>A node's sample (<c>POST /api/nodes/{node}</c>, or the <c>node</c> of a batch).</summary>
public sealed record NodeSample
{
    public DateTimeOffset? Timestamp { get; set; }
    /// <summary>The node's Kubernetes labels (docs/api.md section 6).</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; set; }
    public CpuSection? Cpu { get; set; }
    public MemorySection? Memory { get; set; }
    public DiskSection? Disk { get; set; }
    public NetworkSection? Network { get; set; }
}

/// <summary>A pod's sample (<c>POST /api/pods/{pod}</c>, or an entry of a batch's <c>pods</c>).</summary>
public sealed record PodSample
{
    /// <summary>Only in a batch; the seed endpoint takes the name from its path.</summary>
    public string? Name { get; set; }
    public DateTimeOffset? Timestamp { get; set; }
    /// <summary>Required.</summary>
    public string? Namespace { get; set; }
    /// <summary>In a batch, the path's node wins.</summary>
    public string? Node { get; set; }
    public string? Uid { get; set; }
    public string? OwnerKind { get; set; }
    public string? OwnerName { get; set; }
    /// <summary>Optional; the facade resolves it from a ReplicaSet owner when absent (docs/api.md section 5).</summary>
    public string? Deployment { get; set; }
    /// <summary>The pod's Kubernetes labels (docs/api.md section 6).</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; set; }
    /// <summary>Requests and limits: sums over the pod's containers, a value absent when a container has none.</summary>
    public ResourcesSection? Resources { get; set; }
    public CpuSection? Cpu { get; set; }
    public MemorySection? Memory { get; set; }
    public DiskSection? Disk { get; set; }
    public NetworkSection? Network { get; set; }
    /// <summary>Pressure stall counters of the pod's cgroup (v2 only).</summary>
    public PressureSection? Pressure { get; set; }
    public IReadOnlyList<ContainerSample>? Containers { get; set; }
}

public sealed record ContainerSample
{
    public string? Name { get; set; }
    public ResourcesSection? Resources { get; set; }
    public CpuSection? Cpu { get; set; }
    public MemorySection? Memory { get; set; }
}

public sealed record CpuSection
{
    /// <summary>Cumulative CPU time in seconds (counter).</summary>
    public double? UsageSecondsTotal { get; set; }
    /// <summary>Number of CPUs (nodes only).</summary>
    public double? CapacityCores { get; set; }
    /// <summary>Time the cgroup was throttled by its CPU quota, in seconds (counter; pods and containers).</summary>
    public double? ThrottledSecondsTotal { get; set; }
    /// <summary>Enforcement periods in which the cgroup was throttled (counter).</summary>
    public double? ThrottledPeriodsTotal { get; set; }
    /// <summary>Enforcement periods that elapsed while the cgroup had runnable tasks (counter).</summary>
    public double? PeriodsTotal { get; set; }
}

public sealed record MemorySection
{
    public double? TotalBytes { get; set; }
    public double? AvailableBytes { get; set; }
    public double? UsedBytes { get; set; }
    public double? UsageBytes { get; set; }
    public double? WorkingSetBytes { get; set; }
    /// <summary>Processes of the cgroup killed by the OOM killer (counter; pods and containers).</summary>
    public double? OomKillsTotal { get; set; }
}

public sealed record DiskSection
{
    public double? ReadBytesTotal { get; set; }
    public double? WriteBytesTotal { get; set; }
}

public sealed record NetworkSection
{
    public double? RxBytesTotal { get; set; }
    public double? TxBytesTotal { get; set; }
}

/// <summary>Kubernetes requests and limits (docs/api.md section 6), in cores and bytes.</summary>
public sealed record ResourcesSection
{
    public double? CpuRequestCores { get; set; }
    public double? CpuLimitCores { get; set; }
    public double? MemoryRequestBytes { get; set; }
    public double? MemoryLimitBytes { get; set; }
}

/// <summary>Pressure stall information of a cgroup (cpu.pressure, memory.pressure, io.pressure).</summary>
public sealed record PressureSection
{
    public PressureStall? Cpu { get; set; }
    public PressureStall? Memory { get; set; }
    public PressureStall? Io { get; set; }
}

/// <summary>One resource's stall counters, in seconds: <c>some</c> (at least one task waiting) and <c>full</c> (all stalled).</summary>
public sealed record PressureStall
{
    public double? WaitingSecondsTotal { get; set; }
    public double? StalledSecondsTotal { get; set; }
}

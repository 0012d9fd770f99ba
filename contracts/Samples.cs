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
    public CpuSection? Cpu { get; init; }
    public MemorySection? Memory { get; init; }
    public DiskSection? Disk { get; init; }
    public NetworkSection? Network { get; init; }
    public IReadOnlyList<ContainerSample>? Containers { get; init; }
}

public sealed record ContainerSample
{
    public string? Name { get; init; }
    public CpuSection? Cpu { get; init; }
    public MemorySection? Memory { get; init; }
}

public sealed record CpuSection
{
    /// <summary>Cumulative CPU time in seconds (counter).</summary>
    public double? UsageSecondsTotal { get; init; }
    /// <summary>Number of CPUs (nodes only).</summary>
    public double? CapacityCores { get; init; }
}

public sealed record MemorySection
{
    public double? TotalBytes { get; init; }
    public double? AvailableBytes { get; init; }
    public double? UsedBytes { get; init; }
    public double? UsageBytes { get; init; }
    public double? WorkingSetBytes { get; init; }
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

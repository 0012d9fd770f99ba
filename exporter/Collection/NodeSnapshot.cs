namespace KubeMonitor.Exporter.Collection;

// What one collection of a node yields: the node's own numbers and every pod and container
// found in the kubepods cgroup hierarchy. Collectors fill it; the /metrics writer and the push
// client read it. Every value is in base units (seconds, bytes) as docs/api.md section 5 defines it.
// A null means "not available here" (the source file does not exist on this kernel): such a
// series is absent from /metrics, never 0.

public sealed class NodeSnapshot
{
    public required string NodeName { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The node's Kubernetes labels; null when unknown (no API server, or no such Node object).</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; set; }

    public NodeCpu? Cpu { get; set; }
    public NodeMemory? Memory { get; set; }
    /// <summary>Null when the disk collector failed; empty when the node has no counted device.</summary>
    public IReadOnlyList<DiskDevice>? Disks { get; set; }
    /// <summary>Null when the network collector failed. Includes <c>lo</c>; totals leave it out (<see cref="NetworkTotals.Of"/>).</summary>
    public IReadOnlyList<NetworkInterface>? Interfaces { get; set; }
    /// <summary>Null when the pod collector failed.</summary>
    public IReadOnlyList<PodSnapshot>? Pods { get; set; }

    /// <summary>
    /// Files a collector could not use while it still succeeded (one pod's malformed memory.stat):
    /// the values they hold are null in this snapshot, everything else stands.
    /// </summary>
    public IList<ReadError> ReadErrors { get; } = new List<ReadError>();
}

/// <summary>A kernel file that could not be read or parsed; the values it holds are left out.</summary>
/// <param name="File">The file's name (memory.stat, io.stat, net/dev ...): one of a small fixed set, the metric's label.</param>
/// <param name="Path">Where it is, for the log.</param>
/// <param name="Reason">What was wrong with it.</param>
public sealed record ReadError(string File, string Path, string Reason);

/// <param name="UsageSecondsTotal">Sum over cpuN lines of user+nice+system+irq+softirq, / USER_HZ.</param>
/// <param name="CapacityCores">Number of cpuN lines.</param>
public sealed record NodeCpu(double UsageSecondsTotal, int CapacityCores);

/// <param name="TotalBytes">MemTotal.</param>
/// <param name="AvailableBytes">MemAvailable, or MemFree + Buffers + Cached + SReclaimable - Shmem without it.</param>
public sealed record NodeMemory(ulong TotalBytes, ulong AvailableBytes)
{
    public ulong UsedBytes => TotalBytes > AvailableBytes ? TotalBytes - AvailableBytes : 0;
}

/// <summary>One /proc/diskstats row that node_exporter 1.5 would report (sectors x 512).</summary>
public sealed record DiskDevice(string Name, ulong ReadBytesTotal, ulong WrittenBytesTotal);

/// <summary>One /proc/net/dev row.</summary>
public sealed record NetworkInterface(string Name, ulong ReceiveBytesTotal, ulong TransmitBytesTotal);

/// <summary>A pod found in the kubepods hierarchy, with its containers.</summary>
public sealed class PodSnapshot
{
    /// <summary>Pod UID with dashes (the systemd driver's underscores are turned back).</summary>
    public required string Uid { get; init; }
    /// <summary>guaranteed, burstable or besteffort.</summary>
    public required string QosClass { get; init; }
    /// <summary>The pod's own cgroup (it includes the sandbox), not a sum of containers.</summary>
    public required CgroupStats Stats { get; init; }
    public required IReadOnlyList<ContainerSnapshot> Containers { get; init; }
    /// <summary>
    /// When the pod's counters were read; null means the snapshot's <see cref="NodeSnapshot.Timestamp"/>.
    /// Reading 110 pods takes tens of milliseconds (longer on a busy node), so each pod carries its
    /// own read time and a rate between two samples divides by the time that really passed.
    /// </summary>
    public DateTimeOffset? ReadAt { get; init; }
    /// <summary>From /proc/&lt;pid&gt;/net/dev of a process in the pod (<see cref="NetworkTotals.Of"/>); null if no process could be read.</summary>
    public NetworkTotals? Network { get; set; }
    /// <summary>Joined from the Kubernetes API; null when unknown (the pod is then labelled by uid only).</summary>
    public PodMetadata? Metadata { get; set; }
}

public sealed class ContainerSnapshot
{
    /// <summary>The runtime's container id (64 hex for containerd, CRI-O and docker).</summary>
    public required string Id { get; init; }
    /// <summary>containerd, crio or docker when the cgroup name tells; null for the cgroupfs driver.</summary>
    public string? Runtime { get; init; }
    public required CgroupStats Stats { get; init; }
    /// <summary>The container's name from the pod status; null until metadata names it.</summary>
    public string? Name { get; set; }
}

/// <summary>The numbers of one cgroup (pod or container), each null when its file is absent.</summary>
public sealed class CgroupStats
{
    /// <summary>v1 cpuacct.usage (ns) or v2 cpu.stat usage_usec, as seconds.</summary>
    public double? CpuUsageSeconds { get; set; }
    /// <summary>v1 memory.usage_in_bytes or v2 memory.current.</summary>
    public ulong? MemoryUsageBytes { get; set; }
    /// <summary>usage - inactive_file, never below 0.</summary>
    public ulong? MemoryWorkingSetBytes { get; set; }
    public ulong? MemoryRssBytes { get; set; }
    public ulong? MemoryCacheBytes { get; set; }
    public ulong? MemoryActiveFileBytes { get; set; }
    public ulong? MemoryInactiveFileBytes { get; set; }
    /// <summary>v1 blkio.throttle.io_service_bytes_recursive Read, v2 io.stat rbytes, summed over devices.</summary>
    public ulong? DiskReadBytes { get; set; }
    public ulong? DiskWrittenBytes { get; set; }
    /// <summary>cpu.stat nr_periods.</summary>
    public ulong? CpuPeriods { get; set; }
    /// <summary>cpu.stat nr_throttled.</summary>
    public ulong? CpuThrottledPeriods { get; set; }
    /// <summary>v1 throttled_time (ns), v2 throttled_usec, as seconds.</summary>
    public double? CpuThrottledSeconds { get; set; }
    /// <summary>v2 memory.events oom_kill, v1 memory.oom_control oom_kill.</summary>
    public ulong? OomKills { get; set; }
    /// <summary>v2 PSI files; null on v1 or where the kernel has no PSI.</summary>
    public Pressure? CpuPressure { get; set; }
    public Pressure? MemoryPressure { get; set; }
    public Pressure? IoPressure { get; set; }
}

/// <param name="WaitingSeconds">"some" total (us) as seconds; null when the line is absent.</param>
/// <param name="StalledSeconds">"full" total (us) as seconds; null when the line is absent.</param>
public sealed record Pressure(double? WaitingSeconds, double? StalledSeconds);

/// <summary>What the Kubernetes API says about a pod.</summary>
public sealed record PodMetadata(
    string Name,
    string Namespace,
    string Uid,
    string? OwnerKind,
    string? OwnerName,
    string? Deployment,
    IReadOnlyDictionary<string, string> ContainerNamesById)
{
    /// <summary>The pod's labels (empty when it has none); null when not known.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>Requests and limits of each regular container of the spec, in spec order (init containers are not among them).</summary>
    public IReadOnlyList<ContainerResources> Containers { get; init; } = [];

    /// <summary>The pod's requests and limits: <see cref="RequestsAndLimits.SumOf"/> its containers'.</summary>
    public RequestsAndLimits Resources { get; init; } = RequestsAndLimits.None;

    /// <summary>The requests and limits of the regular container so named; null for any other (an init container, the sandbox).</summary>
    public RequestsAndLimits? ResourcesOf(string containerName)
    {
        foreach (var container in Containers)
        {
            if (container.Name == containerName) return container.Resources;
        }
        return null;
    }
}

/// <summary>One container of a pod spec and its requests and limits.</summary>
public sealed record ContainerResources(string Name, RequestsAndLimits Resources);

using KubeMonitor.Contracts;
using KubeMonitor.Exporter.Collection;

namespace KubeMonitor.Exporter.Push;

/// <summary>The batch for one snapshot, and how many pods it had to leave out.</summary>
/// <param name="UnnamedPods">Pods found in the cgroup tree without Kubernetes metadata: the
/// facade keys pods by name and namespace, so they cannot be pushed (they stay on /metrics by uid).</param>
/// <param name="LabelsLeftOut">Pods (and the node) sent without their labels because they carry
/// more than the facade takes (<see cref="SampleLimits.MaxLabels"/>); /metrics still has them all.</param>
public sealed record BatchMapping(Batch Batch, int UnnamedPods, int LabelsLeftOut = 0);

/// <summary>
/// Turns a <see cref="NodeSnapshot"/> into the push contract (docs/api.md section 2). A section whose
/// source is unknown (its collector failed, or the file does not exist here) is left out, never
/// sent as 0, so the facade can tell "absent" from "zero".
/// </summary>
public static class BatchMapper
{
    public static BatchMapping Map(NodeSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);

        List<PodSample>? pods = null;
        var unnamed = 0;
        var labelsLeftOut = snapshot.Labels?.Count > SampleLimits.MaxLabels ? 1 : 0;
        if (snapshot.Pods is not null)
        {
            pods = new List<PodSample>(snapshot.Pods.Count);
            foreach (var pod in snapshot.Pods)
            {
                if (pod.Metadata is null)
                {
                    unnamed++;
                    continue;
                }
                pods.Add(MapPod(pod, pod.Metadata));
                if (pod.Metadata.Labels?.Count > SampleLimits.MaxLabels) labelsLeftOut++;
            }
        }

        var batch = new Batch
        {
            Timestamp = snapshot.Timestamp.ToUniversalTime(),
            Node = MapNode(snapshot),
            Pods = pods,
        };
        return new BatchMapping(batch, unnamed, labelsLeftOut);
    }

    private static NodeSample MapNode(NodeSnapshot snapshot)
    {
        DiskSection? disk = null;
        if (snapshot.Disks is not null)
        {
            // The snapshot holds only the devices node_exporter counts, so every row is summed.
            double read = 0, written = 0;
            foreach (var device in snapshot.Disks)
            {
                read += device.ReadBytesTotal;
                written += device.WrittenBytesTotal;
            }
            disk = new DiskSection { ReadBytesTotal = read, WriteBytesTotal = written };
        }

        NetworkSection? network = null;
        if (snapshot.Interfaces is not null)
        {
            var totals = NetworkTotals.Of(snapshot.Interfaces);
            network = new NetworkSection { RxBytesTotal = totals.ReceiveBytesTotal, TxBytesTotal = totals.TransmitBytesTotal };
        }

        return new NodeSample
        {
            Labels = WithinLimit(snapshot.Labels),
            Cpu = snapshot.Cpu is { } cpu
                ? new CpuSection { UsageSecondsTotal = cpu.UsageSecondsTotal, CapacityCores = cpu.CapacityCores }
                : null,
            Memory = snapshot.Memory is { } memory
                ? new MemorySection { TotalBytes = memory.TotalBytes, AvailableBytes = memory.AvailableBytes, UsedBytes = memory.UsedBytes }
                : null,
            Disk = disk,
            Network = network,
        };
    }

    private static PodSample MapPod(PodSnapshot pod, PodMetadata metadata)
    {
        List<ContainerSample>? containers = null;
        foreach (var container in pod.Containers)
        {
            // A container is named by metadata; an unnamed one (a sandbox, or a container the
            // API does not list yet) has no identity the facade could key it by.
            var name = container.Name ?? metadata.ContainerNamesById.GetValueOrDefault(container.Id);
            if (string.IsNullOrEmpty(name)) continue;
            var stats = container.Stats;
            (containers ??= []).Add(new ContainerSample
            {
                Name = name,
                Resources = Resources(metadata.ResourcesOf(name)),
                Cpu = Cpu(stats),
                Memory = stats.MemoryWorkingSetBytes is null && stats.OomKills is null
                    ? null
                    : new MemorySection { WorkingSetBytes = stats.MemoryWorkingSetBytes, OomKillsTotal = stats.OomKills },
            });
        }

        var podStats = pod.Stats;
        return new PodSample
        {
            Name = metadata.Name,
            Timestamp = ToMilliseconds(pod.ReadAt),
            Namespace = metadata.Namespace,
            Uid = metadata.Uid,
            OwnerKind = metadata.OwnerKind,
            OwnerName = metadata.OwnerName,
            Deployment = metadata.Deployment,
            Labels = WithinLimit(metadata.Labels),
            Resources = Resources(metadata.Resources),
            Cpu = Cpu(podStats),
            Memory = podStats.MemoryUsageBytes is null && podStats.MemoryWorkingSetBytes is null && podStats.OomKills is null
                ? null
                : new MemorySection { UsageBytes = podStats.MemoryUsageBytes, WorkingSetBytes = podStats.MemoryWorkingSetBytes, OomKillsTotal = podStats.OomKills },
            Disk = podStats.DiskReadBytes is null && podStats.DiskWrittenBytes is null
                ? null
                : new DiskSection { ReadBytesTotal = podStats.DiskReadBytes, WriteBytesTotal = podStats.DiskWrittenBytes },
            Network = pod.Network is { } net
                ? new NetworkSection { RxBytesTotal = net.ReceiveBytesTotal, TxBytesTotal = net.TransmitBytesTotal }
                : null,
            Pressure = Pressure(podStats),
            Containers = containers,
        };
    }

    /// <summary>
    /// The labels, or none when there are more than the facade takes: it refuses the whole push
    /// for one such sample, and one pod must not cost the node all of its samples.
    /// </summary>
    private static IReadOnlyDictionary<string, string>? WithinLimit(IReadOnlyDictionary<string, string>? labels) =>
        labels?.Count > SampleLimits.MaxLabels ? null : labels;

    /// <summary>Whole milliseconds, what the facade stores: a shorter timestamp in every pod's JSON.</summary>
    private static DateTimeOffset? ToMilliseconds(DateTimeOffset? time) =>
        time is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds()) : null;

    /// <summary>Usage and the CFS throttling counters of cpu.stat; null when none is known.</summary>
    private static CpuSection? Cpu(CgroupStats stats) =>
        stats.CpuUsageSeconds is null && stats.CpuThrottledSeconds is null && stats.CpuThrottledPeriods is null && stats.CpuPeriods is null
            ? null
            : new CpuSection
            {
                UsageSecondsTotal = stats.CpuUsageSeconds,
                ThrottledSecondsTotal = stats.CpuThrottledSeconds,
                ThrottledPeriodsTotal = stats.CpuThrottledPeriods,
                PeriodsTotal = stats.CpuPeriods,
            };

    /// <summary>Null when no request or limit is set (or the container is not in the spec).</summary>
    private static ResourcesSection? Resources(RequestsAndLimits? resources) =>
        resources is null || resources.IsEmpty
            ? null
            : new ResourcesSection
            {
                CpuRequestCores = resources.CpuRequestCores,
                CpuLimitCores = resources.CpuLimitCores,
                MemoryRequestBytes = resources.MemoryRequestBytes,
                MemoryLimitBytes = resources.MemoryLimitBytes,
            };

    /// <summary>The pod cgroup's PSI totals; null where the kernel has none (cgroup v1 without a cgroup2 mirror).</summary>
    private static PressureSection? Pressure(CgroupStats stats) =>
        stats.CpuPressure is null && stats.MemoryPressure is null && stats.IoPressure is null
            ? null
            : new PressureSection { Cpu = Stall(stats.CpuPressure), Memory = Stall(stats.MemoryPressure), Io = Stall(stats.IoPressure) };

    private static PressureStall? Stall(Pressure? pressure) =>
        pressure is null ? null : new PressureStall { WaitingSecondsTotal = pressure.WaitingSeconds, StalledSecondsTotal = pressure.StalledSeconds };
}

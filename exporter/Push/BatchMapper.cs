using KubeMonitor.Contracts;
using KubeMonitor.Exporter.Collection;

namespace KubeMonitor.Exporter.Push;

/// <summary>The batch for one snapshot, and how many pods it had to leave out.</summary>
/// <param name="UnnamedPods">Pods found in the cgroup tree without Kubernetes metadata: the
/// facade keys pods by name and namespace, so they cannot be pushed (they stay on /metrics by uid).</param>
public sealed record BatchMapping(Batch Batch, int UnnamedPods);

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
            }
        }

        var batch = new Batch
        {
            Timestamp = snapshot.Timestamp.ToUniversalTime(),
            Node = MapNode(snapshot),
            Pods = pods,
        };
        return new BatchMapping(batch, unnamed);
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
            (containers ??= []).Add(new ContainerSample
            {
                Name = name,
                Cpu = Cpu(container.Stats),
                Memory = container.Stats.MemoryWorkingSetBytes is { } workingSet
                    ? new MemorySection { WorkingSetBytes = workingSet }
                    : null,
            });
        }

        var stats = pod.Stats;
        return new PodSample
        {
            Name = metadata.Name,
            Timestamp = ToMilliseconds(pod.ReadAt),
            Namespace = metadata.Namespace,
            Uid = metadata.Uid,
            OwnerKind = metadata.OwnerKind,
            OwnerName = metadata.OwnerName,
            Deployment = metadata.Deployment,
            Cpu = Cpu(stats),
            Memory = stats.MemoryUsageBytes is null && stats.MemoryWorkingSetBytes is null
                ? null
                : new MemorySection { UsageBytes = stats.MemoryUsageBytes, WorkingSetBytes = stats.MemoryWorkingSetBytes },
            Disk = stats.DiskReadBytes is null && stats.DiskWrittenBytes is null
                ? null
                : new DiskSection { ReadBytesTotal = stats.DiskReadBytes, WriteBytesTotal = stats.DiskWrittenBytes },
            Network = pod.Network is { } net
                ? new NetworkSection { RxBytesTotal = net.ReceiveBytesTotal, TxBytesTotal = net.TransmitBytesTotal }
                : null,
            Containers = containers,
        };
    }

    /// <summary>Whole milliseconds, what the facade stores: a shorter timestamp in every pod's JSON.</summary>
    private static DateTimeOffset? ToMilliseconds(DateTimeOffset? time) =>
        time is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds()) : null;

    private static CpuSection? Cpu(CgroupStats stats) =>
        stats.CpuUsageSeconds is { } seconds ? new CpuSection { UsageSecondsTotal = seconds } : null;
}

namespace KubeMonitor.Page.Tests.Support;

/// <summary>What a pod uses in every sample of a test: steady, so each rate is known exactly.</summary>
public sealed record PodLoad(string Namespace, string Name, string? Deployment, double CpuCores, double WorkingSetBytes,
    IReadOnlyDictionary<string, string> Labels, double CpuLimitCores = 1, double MemoryLimitBytes = 512 * Samples.MiB);

/// <summary>What a node uses in every sample, and its pods.</summary>
public sealed record NodeLoad(string Name, double CpuCores, double UsedBytes, IReadOnlyList<PodLoad> Pods)
{
    public const double CapacityCores = 4;
    public const double TotalBytes = 8 * 1024 * Samples.MiB;
}

/// <summary>
/// Batches (docs/api.md section 2) whose counters grow at the loads' rates: sample k is taken at
/// <c>start + k * IntervalSeconds</c>, so every rate the facade computes is the load itself.
/// </summary>
public static class Samples
{
    public const double MiB = 1024 * 1024;
    public const int IntervalSeconds = 5;
    public const double DiskReadBytesPerSecond = 100_000;
    public const double NetworkRxBytesPerSecond = 250_000;

    /// <param name="extraCpuSeconds">added to the node's CPU counter: that much more use in the interval before this sample.</param>
    public static object Batch(NodeLoad node, DateTime start, int k, double extraCpuSeconds = 0)
    {
        var at = start.AddSeconds(k * IntervalSeconds);
        var seconds = k * IntervalSeconds;
        return new
        {
            timestamp = at.ToString("O"),
            node = new
            {
                cpu = new { usageSecondsTotal = 1000 + node.CpuCores * seconds + extraCpuSeconds, capacityCores = NodeLoad.CapacityCores },
                memory = new { totalBytes = NodeLoad.TotalBytes, availableBytes = NodeLoad.TotalBytes - node.UsedBytes, usedBytes = node.UsedBytes },
                disk = new { readBytesTotal = 1e6 + DiskReadBytesPerSecond * seconds, writeBytesTotal = 1e6 },
                network = new { rxBytesTotal = 1e6 + NetworkRxBytesPerSecond * seconds, txBytesTotal = 1e6 },
            },
            pods = node.Pods.Select(pod => new
            {
                name = pod.Name,
                @namespace = pod.Namespace,
                ownerKind = pod.Deployment is null ? "StatefulSet" : "ReplicaSet",
                ownerName = pod.Deployment is null ? pod.Name : pod.Deployment + "-7c9f8d6b5",
                deployment = pod.Deployment,
                labels = pod.Labels,
                resources = Resources(pod),
                cpu = new { usageSecondsTotal = 10 + pod.CpuCores * seconds },
                memory = new { usageBytes = pod.WorkingSetBytes, workingSetBytes = pod.WorkingSetBytes },
                disk = new { readBytesTotal = 0, writeBytesTotal = 0 },
                network = new { rxBytesTotal = NetworkRxBytesPerSecond * seconds, txBytesTotal = 0 },
                containers = new[]
                {
                    new { name = "app", resources = Resources(pod), cpu = new { usageSecondsTotal = 10 + pod.CpuCores * seconds }, memory = new { workingSetBytes = pod.WorkingSetBytes } },
                },
            }).ToArray(),
        };
    }

    private static object Resources(PodLoad pod) => new
    {
        cpuRequestCores = pod.CpuLimitCores / 4, cpuLimitCores = pod.CpuLimitCores,
        memoryRequestBytes = pod.MemoryLimitBytes / 2, memoryLimitBytes = pod.MemoryLimitBytes,
    };

    /// <summary>A start on a whole second, so that <paramref name="count"/> samples end just before now.</summary>
    public static DateTime StartFor(int count)
    {
        var now = DateTime.UtcNow;
        return new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc).AddSeconds(-count * IntervalSeconds);
    }

    /// <summary>Pushes samples 0 .. count-1 of every node.</summary>
    public static async Task PushAsync(ShippedFacade facade, IEnumerable<NodeLoad> nodes, DateTime start, int count)
    {
        for (var k = 0; k < count; k++)
        {
            foreach (var node in nodes) await facade.PushAsync(node.Name, Batch(node, start, k));
        }
    }
}

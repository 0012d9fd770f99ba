namespace KubeMonitor.Exporter.Collection;

/// <summary>
/// Kubernetes requests and limits of a container or a pod, in cores and bytes; each null when not set.
/// </summary>
public sealed record RequestsAndLimits(double? CpuRequestCores, double? CpuLimitCores, double? MemoryRequestBytes, double? MemoryLimitBytes)
{
    public static readonly RequestsAndLimits None = new(null, null, null, null);

    public bool IsEmpty => this == None;

    /// <summary>
    /// A pod's values: the sums over its containers, each absent as soon as one container lacks
    /// it. A container without a limit leaves the pod unlimited (the kubelet then sets no pod-level
    /// limit either), and a sum of the containers that have a value would pass for the pod's own.
    /// No containers: all absent. This is not Kubernetes' effective pod request, which also
    /// weighs init containers and the pod overhead (docs/api.md section 6).
    /// </summary>
    public static RequestsAndLimits SumOf(IReadOnlyCollection<RequestsAndLimits> containers)
    {
        ArgumentNullException.ThrowIfNull(containers);
        if (containers.Count == 0) return None;
        return new RequestsAndLimits(
            Sum(containers, c => c.CpuRequestCores),
            Sum(containers, c => c.CpuLimitCores),
            Sum(containers, c => c.MemoryRequestBytes),
            Sum(containers, c => c.MemoryLimitBytes));
    }

    private static double? Sum(IEnumerable<RequestsAndLimits> containers, Func<RequestsAndLimits, double?> value)
    {
        double sum = 0;
        foreach (var container in containers)
        {
            if (value(container) is not { } v) return null;
            sum += v;
        }
        return sum;
    }
}

using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Queries;

// What the read port answers for the Kubernetes resource metrics API (docs/api.md section 7):
// CPU as a rate over [FromMs, ToMs] and the working set at ToMs, NaN where there is no value.

/// <summary>One entity's usage: CPU cores averaged over <c>[FromMs, ToMs]</c>, memory in bytes at <c>ToMs</c>; <c>FromMs</c> is 0 with one sample only.</summary>
internal readonly record struct Usage(long FromMs, long ToMs, double Cores, double MemoryBytes)
{
    /// <summary>Both values known over a real interval (metrics-server leaves anything else out).</summary>
    public bool IsComplete => FromMs > 0 && ToMs > FromMs && double.IsFinite(Cores) && double.IsFinite(MemoryBytes);
}

internal sealed record NodeUsage(string Name, LabelSet? Labels, Usage Usage);

internal sealed record ContainerUsage(string Name, Usage Usage);

/// <summary>A live pod, its own usage interval and its containers' usage (those in its newest sample, by name).</summary>
internal sealed record PodUsage(PodIdentity Pod, Usage Usage, IReadOnlyList<ContainerUsage> Containers);

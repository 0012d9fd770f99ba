using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Queries;

/// <summary>
/// The read port: every API reads through it, whatever holds the samples. "Now" is the facade's
/// clock at the call; a window is <c>[now - W, now]</c>. Null means "no live entity of that name".
/// A source that cannot answer throws <see cref="SourceUnavailableException"/>.
/// </summary>
internal interface IMetricsQueries
{
    /// <summary>The longest window the source can answer.</summary>
    TimeSpan MaxWindow { get; }

    Task<IReadOnlyList<NodeResult>> NodesAsync(CancellationToken cancellationToken = default);

    Task<NodeResult?> NodeAsync(string name, CancellationToken cancellationToken = default);

    Task<Windowed?> NodeSeriesAsync(string name, QueryWindow window, CancellationToken cancellationToken = default);

    /// <summary>Live pods in (namespace, name) order; lazy, so that a list can be written while it is read.</summary>
    Task<IEnumerable<PodResult>> PodsAsync(PodSelector selector, CancellationToken cancellationToken = default);

    /// <summary>
    /// At most <paramref name="limit"/> live pods that come after <paramref name="after"/> in <paramref name="order"/>,
    /// of one <paramref name="deployment"/> (resolved as docs/api.md section 5) when given.
    /// </summary>
    Task<PodResultPage> PodsPageAsync(
        PodSelector selector, string? deployment, PodOrder order, PodPosition? after, int limit, CancellationToken cancellationToken = default);

    Task<PodWindow?> PodSeriesAsync(PodKey pod, QueryWindow window, CancellationToken cancellationToken = default);

    /// <summary>Every namespace with live pods, by name.</summary>
    Task<IReadOnlyList<GroupResult>> NamespacesAsync(CancellationToken cancellationToken = default);

    Task<GroupResult?> NamespaceAsync(string @namespace, CancellationToken cancellationToken = default);

    Task<Windowed?> NamespaceSeriesAsync(string @namespace, QueryWindow window, CancellationToken cancellationToken = default);

    /// <summary>The namespace's deployments with live pods, by name; null when the namespace has no live pod.</summary>
    Task<IReadOnlyList<GroupResult>?> DeploymentsAsync(string @namespace, CancellationToken cancellationToken = default);

    Task<GroupResult?> DeploymentAsync(string @namespace, string deployment, CancellationToken cancellationToken = default);

    Task<Windowed?> DeploymentSeriesAsync(string @namespace, string deployment, QueryWindow window, CancellationToken cancellationToken = default);

    /// <summary>
    /// Live nodes' usage (all, by name, or the one named): CPU over the last two samples, or with a
    /// positive <paramref name="rateSpan"/> from the oldest sample within it before the newest.
    /// </summary>
    Task<IReadOnlyList<NodeUsage>> NodeUsagesAsync(string? name, TimeSpan rateSpan, CancellationToken cancellationToken = default);

    /// <summary>Live pods' usage in (namespace, name) order, as <see cref="NodeUsagesAsync"/>; lazy as <see cref="PodsAsync"/>.</summary>
    Task<IEnumerable<PodUsage>> PodUsagesAsync(PodSelector selector, TimeSpan rateSpan, CancellationToken cancellationToken = default);
}

using KubeMonitor.Facade.Queries;

namespace KubeMonitor.Facade.Storage;

/// <summary>Which pods a query is about; null parts match every pod.</summary>
internal sealed record PodQuery(string? Namespace = null, string? Node = null, string? Name = null, string? Deployment = null);

/// <summary>Where a page of pods starts: after this pod in (namespace, name) order.</summary>
internal readonly record struct PodCursor(string Namespace, string Name);

/// <summary>One page of pods, and whether more pods follow it.</summary>
internal sealed record PodPage(IReadOnlyList<PodView> Items, bool More);

/// <summary>A live pod's latest view and its points in a window.</summary>
internal sealed record PodHistory(PodView Latest, IReadOnlyList<PodPoint> Points);

/// <summary>
/// Where samples go and where the API reads them. Rates come out already derived, so that a
/// Prometheus-backed source could answer the same queries. Times are Unix milliseconds; only
/// live entities (newest sample not older than the staleness limit at <c>nowMs</c>) are seen.
/// </summary>
internal interface IMetricsStore
{
    /// <summary>Stores a validated batch, all of it or (past the series cap) nothing.</summary>
    StoreOutcome Store(IngestBatch batch);

    /// <summary>Live nodes, ordered by name.</summary>
    IReadOnlyList<NodeView> Nodes(long nowMs);

    NodeView? Node(string name, long nowMs);

    /// <summary>A live node's samples with fromMs &lt;= t &lt;= nowMs, oldest first; null when the node is unknown.</summary>
    IReadOnlyList<NodePoint>? NodePoints(string name, long fromMs, long nowMs);

    /// <summary>Live pods matching the query, ordered by namespace then name; lazy, so a list can be written while it is read.</summary>
    IEnumerable<PodView> Pods(PodQuery query, long nowMs);

    /// <summary>At most <paramref name="limit"/> pods of <see cref="Pods"/> that come after <paramref name="after"/>, in the same order.</summary>
    PodPage PodsPage(PodQuery query, long nowMs, PodCursor? after, int limit);

    /// <summary>Live pods matching the query with their samples (and containers) in [fromMs, nowMs].</summary>
    IReadOnlyList<PodHistory> PodHistories(PodQuery query, long fromMs, long nowMs);

    /// <summary>
    /// The live pods matching the query summed per step over [fromMs, nowMs] (namespace and
    /// deployment series); null when no live pod matches.
    /// </summary>
    IReadOnlyList<AggregatePoint>? StepSums(PodQuery query, long fromMs, long nowMs, int stepSeconds);

    /// <summary>Series held: nodes + pods + containers.</summary>
    long SeriesCount { get; }

    /// <summary>Bytes of sample data held by every series.</summary>
    long BytesHeld();
}

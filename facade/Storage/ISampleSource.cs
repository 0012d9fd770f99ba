namespace KubeMonitor.Facade.Storage;

/// <summary>
/// Where the query layer reads raw samples: the embedded store, or a Prometheus-compatible server
/// (docs/api.md section 8). Everything is in the field tables' columns and Unix milliseconds.
/// Only live entities are seen: those whose newest sample is no older than the staleness limit at
/// <c>nowMs</c>. A source that cannot answer (a backend down) throws <see cref="SourceUnavailableException"/>.
/// </summary>
internal interface ISampleSource
{
    /// <summary>The longest window a query may ask of this source.</summary>
    TimeSpan MaxWindow { get; }

    /// <summary>
    /// Whether one node's or pod's series shows only each step's last sample (docs/api.md section
    /// 8: over a backend's days of history, <c>step</c> applies to every series) rather than every
    /// sample of the window (the embedded store's hour).
    /// </summary>
    bool StepsEverySeries { get; }

    /// <summary>Why the source cannot answer now (for <c>/readyz</c>), or null when it can.</summary>
    Task<string?> NotReadyAsync(CancellationToken cancellationToken);

    /// <summary>Live nodes, ordered by name; <paramref name="rateSpanMs"/> picks each one's base row (<see cref="LatestRows"/>).</summary>
    Task<IReadOnlyList<NodeLatest>> NodesAsync(long nowMs, long rateSpanMs, CancellationToken cancellationToken);

    Task<NodeLatest?> NodeAsync(string name, long nowMs, long rateSpanMs, CancellationToken cancellationToken);

    /// <summary>A live node's rows in [fromMs, nowMs] and the one before; null when the node is not live.</summary>
    Task<RawRows?> NodeRowsAsync(string name, long fromMs, long nowMs, CancellationToken cancellationToken);

    /// <summary>
    /// Live pods the selector matches, in (namespace, name) order. The sequence may be lazy (read
    /// while it is written out), so that a list of every pod holds little memory.
    /// <paramref name="rateSpanMs"/> picks the base rows (<see cref="LatestRows"/>).
    /// </summary>
    Task<IEnumerable<PodLatest>> PodsAsync(PodSelector selector, long nowMs, long rateSpanMs, CancellationToken cancellationToken);

    /// <summary>At most <paramref name="limit"/> pods of <see cref="PodsAsync"/> that come after <paramref name="after"/>.</summary>
    Task<PodLatestPage> PodsPageAsync(PodSelector selector, long nowMs, PodKey? after, int limit, CancellationToken cancellationToken);

    /// <summary>A live pod's rows (and its containers') in [fromMs, nowMs] and the one before; null when it is not live.</summary>
    Task<PodRows?> PodRowsAsync(PodKey pod, long fromMs, long nowMs, CancellationToken cancellationToken);

    /// <summary>
    /// Hands the rows in [fromMs, nowMs] (and the one before) of every live pod that the selector
    /// matches and <paramref name="keep"/> accepts to a sink from <paramref name="newSink"/>.
    /// Returns how many pods were handed over.
    /// </summary>
    Task<int> ReadPodRowsAsync(
        PodSelector selector, Func<PodIdentity, bool> keep, long fromMs, long nowMs, Func<IPodRowsSink> newSink, CancellationToken cancellationToken);
}

/// <summary>The source cannot answer now (its backend is down, slow or refusing); the API answers 503 with Retry-After.</summary>
internal sealed class SourceUnavailableException(string message, TimeSpan retryAfter, Exception? inner = null) : Exception(message, inner)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

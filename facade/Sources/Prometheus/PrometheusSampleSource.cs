using KubeMonitor.Facade.Storage;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Sources.Prometheus;

/// <summary>
/// Raw samples of the exporter's metrics (docs/api.md sections 4 and 8) from a Prometheus-compatible
/// server. Only range selectors are sent (<c>{__name__=~"a|b",...}[5m]</c> evaluated at now, whose
/// answer is the raw samples): PromQL's <c>rate()</c> extrapolates, the facade's rates must not.
/// Pod lists first ask which pods are live (a small answer), then read those pods in chunks.
/// </summary>
internal sealed class PrometheusSampleSource : ISampleSource
{
    /// <summary>Most pods a query names in one regex.</summary>
    internal const int PodsPerRegex = 200;

    /// <summary>Most pods of whole namespaces read by one latest query (its answer is held two rows a series).</summary>
    internal const int PodsPerWholeNamespaceQuery = 5000;

    /// <summary>
    /// How far before a rollup's window its rows are read first: far enough for the base row (the
    /// last before the window) at scrape intervals up to a minute, where the staleness limit would
    /// read a 5-minute window twice over. A pod with no row in it is read again back to the
    /// staleness limit, so the rows are the same.
    /// </summary>
    internal const long BaseLookbackMs = 120_000;

    /// <summary>Chunks of one request read at once.</summary>
    private const int ParallelQueries = 2;

    private static readonly TimeSpan ReadinessTimeout = TimeSpan.FromSeconds(5);
    private static readonly IReadOnlySet<string> KeyLabels = new HashSet<string>(["namespace", "pod", "node"], StringComparer.Ordinal);
    private static readonly string[] PodMetrics =
        [.. MetricColumns.Pod.Metrics.Union(MetricColumns.Container.Metrics), PodAnswer.InfoMetric, KubernetesLabelSeries.PodMetric];
    private static readonly string[] NodeMetrics = [.. MetricColumns.Node.Metrics, KubernetesLabelSeries.NodeMetric];

    private readonly PrometheusClient _client;
    private readonly TimeProvider _clock;
    private readonly long _stalenessMs;
    private readonly string? _extraMatchers;

    public PrometheusSampleSource(PrometheusClient client, IOptions<PrometheusOptions> options, IOptions<FacadeOptions> facadeOptions, TimeProvider clock)
    {
        _client = client;
        _clock = clock;
        MaxWindow = options.Value.MaxWindow;
        _stalenessMs = (long)facadeOptions.Value.Staleness.TotalMilliseconds;
        _extraMatchers = options.Value.Selector?.Trim().TrimEnd(',').Trim() is { Length: > 0 } extra ? extra : null;
    }

    public TimeSpan MaxWindow { get; }

    /// <summary>A backend holds days of samples: a series' window is shown a step at a time (docs/api.md section 8).</summary>
    public bool StepsEverySeries => true;

    public async Task<string?> NotReadyAsync(CancellationToken cancellationToken)
    {
        using var call = _client.Start(cancellationToken, ReadinessTimeout);
        try
        {
            await _client.QueryAsync(call, "vector(1)", _clock.GetUtcNow().ToUnixTimeMilliseconds(), KeyLabels, static _ => { });
            return null;
        }
        catch (SourceUnavailableException e)
        {
            return e.Message;
        }
    }

    public async Task<IReadOnlyList<NodeLatest>> NodesAsync(long nowMs, long rateSpanMs, CancellationToken cancellationToken)
    {
        using var call = _client.Start(cancellationToken);
        var answer = await ReadNodesAsync(call, null, LatestRange(rateSpanMs), nowMs, lastTwo: rateSpanMs <= 0);
        return answer.Nodes
            .Where(n => IsLive(n.Value, nowMs))
            .OrderBy(n => n.Key, StringComparer.Ordinal)
            .Select(n => new NodeLatest(n.Key, n.Value.Latest(rateSpanMs), answer.LabelsOf(n.Key)))
            .ToList();
    }

    public async Task<NodeLatest?> NodeAsync(string name, long nowMs, long rateSpanMs, CancellationToken cancellationToken)
    {
        using var call = _client.Start(cancellationToken);
        var answer = await ReadNodesAsync(call, name, LatestRange(rateSpanMs), nowMs, lastTwo: rateSpanMs <= 0);
        return answer.Nodes.TryGetValue(name, out var rows) && IsLive(rows, nowMs) ? new NodeLatest(name, rows.Latest(rateSpanMs), answer.LabelsOf(name)) : null;
    }

    public async Task<RawRows?> NodeRowsAsync(string name, long fromMs, long nowMs, CancellationToken cancellationToken)
    {
        using var call = _client.Start(cancellationToken);
        var answer = await ReadNodesAsync(call, name, WindowRange(fromMs, nowMs), nowMs, lastTwo: false);
        return answer.Nodes.TryGetValue(name, out var rows) && IsLive(rows, nowMs) ? rows.From(fromMs) : null;
    }

    public async Task<IEnumerable<PodLatest>> PodsAsync(PodSelector selector, long nowMs, long rateSpanMs, CancellationToken cancellationToken)
    {
        selector = Sanitized(selector);
        using var call = _client.Start(cancellationToken);
        var (keys, _) = await LivePodKeysAsync(call, selector, nowMs);
        var found = await LatestAsync(call, selector, keys, 0, keys.Count, nowMs, rateSpanMs);
        return keys.Where(found.ContainsKey).Select(k => found[k]).ToList();
    }

    public async Task<PodLatestPage> PodsPageAsync(PodSelector selector, long nowMs, PodKey? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        selector = Sanitized(selector);
        using var call = _client.Start(cancellationToken);
        var (keys, _) = await LivePodKeysAsync(call, selector, nowMs);
        var start = after is { } cursor ? FirstAfter(keys, cursor) : 0;
        // One pod more than asked tells whether another page follows; a pod that turns out not to
        // be listed (it moved to another node) is replaced by the next.
        var items = new List<PodLatest>(Math.Min(limit + 1, keys.Count - start));
        while (items.Count <= limit && start < keys.Count)
        {
            var end = Math.Min(keys.Count, start + limit + 1 - items.Count);
            var found = await LatestAsync(call, selector, keys, start, end, nowMs);
            for (var i = start; i < end; i++)
            {
                if (found.TryGetValue(keys[i], out var pod)) items.Add(pod);
            }
            start = end;
        }
        var more = items.Count > limit;
        if (more) items.RemoveRange(limit, items.Count - limit);
        return new PodLatestPage(items, more);
    }

    public async Task<PodRows?> PodRowsAsync(PodKey pod, long fromMs, long nowMs, CancellationToken cancellationToken)
    {
        using var call = _client.Start(cancellationToken);
        var answer = new PodAnswer(lastTwo: false);
        var query = Range(PodMetrics, WindowRange(fromMs, nowMs), PromQl.OneOf("namespace", [pod.Namespace]), PromQl.OneOf("pod", [pod.Name]));
        await _client.QueryAsync(call, query, nowMs, PodAnswer.Labels, answer.Add, KubernetesLabelSeries.Prefix);
        return answer.Pods.TryGetValue(pod, out var parts) && IsLive(parts.Rows, nowMs) ? parts.Window(fromMs) : null;
    }

    public async Task<int> ReadPodRowsAsync(
        PodSelector selector, Func<PodIdentity, bool> keep, long fromMs, long nowMs, Func<IPodRowsSink> newSink, CancellationToken cancellationToken)
    {
        selector = Sanitized(selector);
        using var call = _client.Start(cancellationToken);
        // Who the pods are first (pod_info alone is one small series a pod), so that only the rows
        // of the pods kept (a deployment's, out of a whole namespace) are read.
        var infos = new PodAnswer(lastTwo: true);
        var infoQuery = Range([PodAnswer.InfoMetric], _stalenessMs, Matchers(selector));
        var keysRead = LivePodKeysAsync(call, selector, nowMs);
        await Task.WhenAll(keysRead, _client.QueryAsync(call, infoQuery, nowMs, PodAnswer.Labels, infos.Add));
        var (keys, nodes) = await keysRead;
        var kept = keys.Where(key =>
        {
            var identity = infos.Pods.TryGetValue(key, out var parts) && parts.HasInfo
                ? parts.Identity
                : new PodIdentity(key.Namespace, key.Name, nodes[key], null, null, null, null);
            return IsOnNode(selector, identity) && keep(identity);
        }).ToList();

        IPodRowsSink? sink = null;
        var handed = 0;
        var range = WindowRange(fromMs, nowMs);
        var shortRange = Math.Min(range, Math.Max(0, nowMs - fromMs) + BaseLookbackMs);
        var withoutBase = new List<PodKey>();
        foreach (var chunk in PodChunks.Split(kept, 0, kept.Count, PodsPerRegex, maxWholeNamespacePods: 0))
        {
            var answer = await ReadPodRowsAsync(call, selector, chunk, shortRange, nowMs);
            foreach (var key in chunk.Keys)
            {
                if (!answer.Pods.TryGetValue(key, out var parts) || !IsLive(parts.Rows, nowMs)) continue;
                if (shortRange < range && parts.Rows.OldestMs >= fromMs)
                {
                    withoutBase.Add(key);
                    continue;
                }
                Hand(parts.Rows);
            }
        }
        // New in the window, or scraped less often than the short lookback: the base may be older.
        foreach (var chunk in PodChunks.Split(withoutBase, 0, withoutBase.Count, PodsPerRegex, maxWholeNamespacePods: 0))
        {
            var answer = await ReadPodRowsAsync(call, selector, chunk, range, nowMs);
            foreach (var key in chunk.Keys)
            {
                if (answer.Pods.TryGetValue(key, out var parts) && IsLive(parts.Rows, nowMs)) Hand(parts.Rows);
            }
        }
        return handed;

        void Hand(RowSet rowSet)
        {
            var rows = rowSet.From(fromMs);
            (sink ??= newSink()).Add(rows.Timestamps, rows.Values);
            handed++;
        }
    }

    private async Task<PodAnswer> ReadPodRowsAsync(BackendCall call, PodSelector selector, PodChunk chunk, long rangeMs, long nowMs)
    {
        var answer = new PodAnswer(lastTwo: false);
        await _client.QueryAsync(call, Range(MetricColumns.Pod.Metrics, rangeMs, [.. Matchers(selector), chunk.Matchers]), nowMs, PodAnswer.Labels, answer.Add);
        return answer;
    }

    private async Task<NodeAnswer> ReadNodesAsync(BackendCall call, string? node, long rangeMs, long nowMs, bool lastTwo)
    {
        var answer = new NodeAnswer(lastTwo);
        var query = Range(NodeMetrics, rangeMs, node is null ? null : PromQl.OneOf("node", [node]));
        await _client.QueryAsync(call, query, nowMs, NodeAnswer.Labels, answer.Add, KubernetesLabelSeries.Prefix);
        return answer;
    }

    /// <summary>
    /// The pods with a sample of a pod metric within the staleness limit whose labels the selector
    /// admits, sorted, and the node label each has (for a pod without <c>kubemonitor_pod_info</c>).
    /// Small answers: a (namespace, pod, node) per pod, however many samples they hold, and with a
    /// label selector each pod's labels series.
    /// </summary>
    private async Task<(List<PodKey> Keys, Dictionary<PodKey, string?> Nodes)> LivePodKeysAsync(BackendCall call, PodSelector selector, long nowMs)
    {
        if (selector.Labels is not { } labelSelector) return await LivePodKeysAsync(call, Matchers(selector), nowMs);
        var labels = new PodAnswer(lastTwo: true);
        var labelsQuery = Range([KubernetesLabelSeries.PodMetric], _stalenessMs, Matchers(selector));
        var keysRead = LivePodKeysAsync(call, Matchers(selector), nowMs);
        await Task.WhenAll(keysRead, _client.QueryAsync(call, labelsQuery, nowMs, PodAnswer.Labels, labels.Add, KubernetesLabelSeries.Prefix));
        var (keys, nodes) = await keysRead;
        // A pod without a labels series has no labels: it passes only !key, != and notin, as in Kubernetes.
        keys.RemoveAll(key => !labelSelector.Matches(labels.Pods.TryGetValue(key, out var parts) ? parts.Labels : null));
        return (keys, nodes);
    }

    private async Task<(List<PodKey> Keys, Dictionary<PodKey, string?> Nodes)> LivePodKeysAsync(BackendCall call, List<string> matchers, long nowMs)
    {
        // count_over_time of each metric on its own: over several metrics at once it would give
        // series that differ only in the dropped metric name, which PromQL refuses.
        var query = string.Join(" or ", MetricColumns.Pod.Metrics.Select(metric =>
            $"group by (namespace, pod, node) (count_over_time({metric}{PromQl.Selector([.. matchers, MetricColumns.Pod.MatchersOf(metric), _extraMatchers])}[{PromQl.Duration(_stalenessMs)}]))"));
        var nodes = new Dictionary<PodKey, string?>();
        await _client.QueryAsync(call, query, nowMs, KeyLabels, series =>
        {
            if (series.Label("namespace") is not { Length: > 0 } ns || series.Label("pod") is not { Length: > 0 } name) return;
            var key = new PodKey(ns, name);
            if (nodes.GetValueOrDefault(key) is null) nodes[key] = series.Label("node") is { Length: > 0 } node ? node : null;
        });
        var keys = nodes.Keys.ToList();
        keys.Sort();
        return (keys, nodes);
    }

    /// <summary>The latest views of keys[start..end) that are live and on the selector's node, in chunks read side by side.</summary>
    private async Task<Dictionary<PodKey, PodLatest>> LatestAsync(
        BackendCall call, PodSelector selector, List<PodKey> keys, int start, int end, long nowMs, long rateSpanMs = LatestRows.PreviousRow)
    {
        var found = new Dictionary<PodKey, PodLatest>();
        var chunks = PodChunks.Split(keys, start, end, PodsPerRegex, PodsPerWholeNamespaceQuery);
        var matchers = Matchers(selector);
        await ForEachAsync(chunks, async chunk =>
        {
            var answer = new PodAnswer(lastTwo: rateSpanMs <= 0);
            await _client.QueryAsync(call, Range(PodMetrics, LatestRange(rateSpanMs), [.. matchers, chunk.Matchers]), nowMs, PodAnswer.Labels, answer.Add, KubernetesLabelSeries.Prefix);
            var latest = new List<PodLatest>(chunk.Keys.Count);
            foreach (var key in chunk.Keys)
            {
                if (answer.Pods.TryGetValue(key, out var parts) && IsLive(parts.Rows, nowMs) && IsOnNode(selector, parts.Identity)) latest.Add(parts.Latest(rateSpanMs));
            }
            lock (found)
            {
                foreach (var pod in latest) found[pod.Pod.Key] = pod;
            }
        });
        return found;
    }

    /// <summary>Runs <paramref name="read"/> on each chunk, <see cref="ParallelQueries"/> at a time; after a failure no new one starts.</summary>
    private static async Task ForEachAsync(List<PodChunk> chunks, Func<PodChunk, Task> read)
    {
        var next = -1;
        var failed = false;
        async Task Worker()
        {
            int i;
            while (!Volatile.Read(ref failed) && (i = Interlocked.Increment(ref next)) < chunks.Count)
            {
                try
                {
                    await read(chunks[i]);
                }
                catch
                {
                    Volatile.Write(ref failed, true);
                    throw;
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Min(ParallelQueries, chunks.Count)).Select(_ => Worker()));
    }

    /// <summary><c>{__name__=~"a|b",matchers...,configured selector}[range]</c>.</summary>
    private string Range(IReadOnlyCollection<string> metrics, long rangeMs, params IEnumerable<string?> matchers) =>
        PromQl.Selector([PromQl.OneOf("__name__", metrics), .. matchers, _extraMatchers]) + $"[{PromQl.Duration(rangeMs)}]";

    /// <summary>The matchers of a pod selector (<see cref="Range"/> adds the configured ones).</summary>
    private static List<string> Matchers(PodSelector selector)
    {
        var matchers = new List<string>();
        if (selector.Namespace is { } ns) matchers.Add(PromQl.OneOf("namespace", [ns]));
        if (selector.Node is { } node) matchers.Add(PromQl.OneOf("node", [node]));
        if (selector.Name is { } name) matchers.Add(PromQl.OneOf("pod", [name]));
        return matchers;
    }

    /// <summary>A latest view's range: the staleness limit, and a rate span more for the base of a newest sample at that limit.</summary>
    private long LatestRange(long rateSpanMs) => _stalenessMs + Math.Max(0, rateSpanMs);

    /// <summary>A window's range: back to <paramref name="fromMs"/>, and one staleness limit more for the sample before it (the base of the first rate).</summary>
    private long WindowRange(long fromMs, long nowMs) => Math.Max(0, nowMs - fromMs) + _stalenessMs;

    private bool IsLive(RowSet rows, long nowMs) => !rows.IsEmpty && rows.NewestMs >= nowMs - _stalenessMs;

    private static bool IsOnNode(PodSelector selector, PodIdentity pod) => selector.Node is null || pod.Node == selector.Node;

    /// <summary>The selector over the label keys as this source names them (docs/api.md section 8: sanitized).</summary>
    private static PodSelector Sanitized(PodSelector selector) =>
        selector.Labels is { } labels ? selector with { Labels = labels.WithKeys(KubernetesLabelSeries.SanitizedKey) } : selector;

    private static int FirstAfter(List<PodKey> keys, PodKey cursor)
    {
        var index = keys.BinarySearch(cursor);
        return index >= 0 ? index + 1 : ~index;
    }
}

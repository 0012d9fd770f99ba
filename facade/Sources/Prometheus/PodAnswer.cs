using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Sources.Prometheus;

/// <summary>
/// The pods of one answer, grouped from its series in whatever order they come: each pod's rows
/// (by <c>namespace</c>, <c>pod</c>), its containers' rows (+ <c>container</c>), its newest
/// <c>kubemonitor_pod_info</c> and its newest <c>kubemonitor_pod_labels</c>. A container series
/// that a pod field sums (requests and limits) goes to both.
/// </summary>
/// <param name="lastTwo">Keep only what the newest two rows need (latest views without a rate span).</param>
internal sealed class PodAnswer(bool lastTwo)
{
    public const string InfoMetric = "kubemonitor_pod_info";

    /// <summary>The labels a pod query keeps on its series.</summary>
    public static readonly IReadOnlySet<string> Labels = new HashSet<string>(
        ["__name__", "namespace", "pod", "container", "node", "uid", "owner_kind", "owner_name", "deployment",
         .. MetricColumns.Pod.MatcherLabels, .. MetricColumns.Container.MatcherLabels], StringComparer.Ordinal);

    private readonly Dictionary<PodKey, PodParts> _pods = [];

    public IReadOnlyDictionary<PodKey, PodParts> Pods => _pods;

    public void Add(RawSeries series)
    {
        if (series.Label("namespace") is not { Length: > 0 } ns || series.Label("pod") is not { Length: > 0 } name || series.Count == 0) return;
        var key = new PodKey(ns, name);
        var metric = series.Metric;
        if (metric == InfoMetric)
        {
            Parts(key).SeeInfo(series);
            return;
        }
        if (metric == KubernetesLabelSeries.PodMetric)
        {
            Parts(key).SeeLabels(series);
            return;
        }
        if (metric is not null && MetricColumns.Pod.Has(metric))
        {
            var parts = Parts(key);
            MetricColumns.Pod.AddTo(parts.Rows, series, lastTwo);
            parts.SeeNode(series);
        }
        if (metric is not null && MetricColumns.Container.Has(metric) && series.Label("container") is { Length: > 0 } container)
        {
            MetricColumns.Container.AddTo(Parts(key).Container(container), series, lastTwo);
        }
    }

    private PodParts Parts(PodKey key)
    {
        if (!_pods.TryGetValue(key, out var parts)) _pods.Add(key, parts = new PodParts(key));
        return parts;
    }
}

/// <summary>What an answer holds about one pod.</summary>
internal sealed class PodParts(PodKey key)
{
    private readonly Dictionary<string, RowSet> _containers = new(StringComparer.Ordinal);
    private long _infoMs = long.MinValue;
    private PodIdentity? _info;
    private long _nodeSeenMs = long.MinValue;
    private string? _node;
    private long _labelsMs = long.MinValue;
    private LabelSet? _labels;

    public PodKey Key => key;

    /// <summary>Whether the answer had a <c>kubemonitor_pod_info</c> series of the pod.</summary>
    public bool HasInfo => _info is not null;

    public RowSet Rows { get; } = new(PodFields.Count);

    /// <summary>
    /// Who the pod is: from its newest <c>kubemonitor_pod_info</c> (an empty label is no value), or,
    /// without one, the node label of its newest series; its labels from its newest <c>kubemonitor_pod_labels</c>.
    /// </summary>
    public PodIdentity Identity => (_info ?? new PodIdentity(key.Namespace, key.Name, _node, null, null, null, null)) with { Labels = _labels };

    /// <summary>The pod's newest labels, or null when the answer had no labels series of it.</summary>
    public LabelSet? Labels => _labels;

    public RowSet Container(string name)
    {
        if (!_containers.TryGetValue(name, out var rows)) _containers.Add(name, rows = new RowSet(ContainerFields.Count));
        return rows;
    }

    /// <summary>The newest rows of the pod and of the containers that are in its newest row, by name. Not on a pod without rows.</summary>
    public PodLatest Latest(long rateSpanMs = LatestRows.PreviousRow)
    {
        var newest = Rows.NewestMs;
        var containers = _containers
            .Where(c => c.Value.HasRowAt(newest))
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new ContainerLatest(c.Key, c.Value.Latest(rateSpanMs)))
            .ToList();
        return new PodLatest(Identity, Rows.Latest(rateSpanMs), containers);
    }

    /// <summary>The pod's rows from <paramref name="fromMs"/> (and the base before), and those of the containers of its latest view.</summary>
    public PodRows Window(long fromMs)
    {
        var latest = Latest();
        var containers = latest.Containers.Select(c => new ContainerRows(c.Name, _containers[c.Name].From(fromMs))).ToList();
        return new PodRows(latest, Rows.From(fromMs), containers);
    }

    internal void SeeInfo(RawSeries series)
    {
        var newest = series.Timestamps[^1];
        if (newest < _infoMs) return;
        _infoMs = newest;
        _info = new PodIdentity(key.Namespace, key.Name,
            Value(series, "node"), Value(series, "uid"), Value(series, "owner_kind"), Value(series, "owner_name"), Value(series, "deployment"));
    }

    internal void SeeLabels(RawSeries series)
    {
        var newest = series.Timestamps[^1];
        if (newest < _labelsMs) return;
        _labelsMs = newest;
        _labels = KubernetesLabelSeries.LabelsOf(series);
    }

    internal void SeeNode(RawSeries series)
    {
        var newest = series.Timestamps[^1];
        if (newest < _nodeSeenMs) return;
        _nodeSeenMs = newest;
        _node = Value(series, "node");
    }

    private static string? Value(RawSeries series, string label) => series.Label(label) is { Length: > 0 } value ? value : null;
}

using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Sources.Prometheus;

/// <summary>The nodes of one answer: each node's rows from its series (by <c>node</c>), summed over disks and interfaces, and its newest labels.</summary>
/// <param name="lastTwo">Keep only what the newest two rows need (latest views).</param>
internal sealed class NodeAnswer(bool lastTwo)
{
    public static readonly IReadOnlySet<string> Labels =
        new HashSet<string>(["__name__", "node", .. MetricColumns.Node.MatcherLabels], StringComparer.Ordinal);

    private readonly Dictionary<string, RowSet> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Ms, LabelSet Labels)> _labels = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, RowSet> Nodes => _nodes;

    /// <summary>A node's newest labels, or null when the answer had no labels series of it.</summary>
    public LabelSet? LabelsOf(string node) => _labels.TryGetValue(node, out var seen) ? seen.Labels : null;

    public void Add(RawSeries series)
    {
        if (series.Label("node") is not { Length: > 0 } node || series.Count == 0) return;
        if (series.Metric == KubernetesLabelSeries.NodeMetric)
        {
            var newest = series.Timestamps[^1];
            if (!_labels.TryGetValue(node, out var seen) || newest >= seen.Ms) _labels[node] = (newest, KubernetesLabelSeries.LabelsOf(series));
            return;
        }
        if (!_nodes.TryGetValue(node, out var rows)) _nodes.Add(node, rows = new RowSet(NodeFields.Count));
        MetricColumns.Node.AddTo(rows, series, lastTwo);
    }
}

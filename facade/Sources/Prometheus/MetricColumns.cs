using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Sources.Prometheus;

/// <summary>
/// A field table read the other way round: which column each exporter metric fills, and which of
/// its series count (a field's own matchers, such as node network's <c>interface!="lo"</c>, are
/// applied here because one query asks for every metric of a kind at once).
/// </summary>
internal sealed class MetricColumns
{
    public static readonly MetricColumns Node = new(NodeFields.Table);
    public static readonly MetricColumns Pod = new(PodFields.Table);
    public static readonly MetricColumns Container = new(ContainerFields.Table);

    private readonly Dictionary<string, (int Column, IReadOnlyList<LabelMatcher> Matchers)[]> _byMetric = new(StringComparer.Ordinal);

    private MetricColumns(FieldTable table)
    {
        Table = table;
        for (var column = 0; column < table.Count; column++)
        {
            var field = table.Fields[column];
            var matchers = field.Matchers is null ? [] : LabelMatcher.ParseList(field.Matchers);
            _byMetric[field.Metric] = [.. _byMetric.GetValueOrDefault(field.Metric, []), (column, matchers)];
        }
        Metrics = [.. table.Fields.Select(f => f.Metric).Distinct()];
        MatcherLabels = [.. _byMetric.Values.SelectMany(c => c).SelectMany(c => c.Matchers).Select(m => m.Name)];
    }

    public FieldTable Table { get; }

    /// <summary>The exporter metrics of this kind, in column order.</summary>
    public IReadOnlyList<string> Metrics { get; }

    /// <summary>The labels the fields' matchers look at: a query must keep them on its series.</summary>
    public IReadOnlyCollection<string> MatcherLabels { get; }

    /// <summary>The matchers of a metric's field, as PromQL (empty when there are none).</summary>
    public string MatchersOf(string metric) =>
        string.Join(",", _byMetric[metric].SelectMany(c => c.Matchers).Select(m => m.ToString()));

    public bool Has(string metric) => _byMetric.ContainsKey(metric);

    /// <summary>
    /// Adds a series of one of these metrics to an entity's rows. With <paramref name="lastTwo"/>
    /// only its two newest samples: the entity's two newest rows never need an older one.
    /// </summary>
    public void AddTo(RowSet rows, RawSeries series, bool lastTwo)
    {
        if (series.Metric is not { } metric || !_byMetric.TryGetValue(metric, out var columns)) return;
        var skip = lastTwo ? Math.Max(0, series.Count - 2) : 0;
        foreach (var (column, matchers) in columns)
        {
            if (matchers.All(m => m.Matches(series.Label(m.Name)))) rows.Add(column, series.Timestamps[skip..], series.Values[skip..]);
        }
    }
}

using Prometheus;

namespace KubeMonitor.Exporter.Metrics;

/// <summary>
/// An info metric whose label names differ from series to series (<c>kubemonitor_pod_labels</c>:
/// one <c>label_&lt;key&gt;</c> per Kubernetes label), always 1. prometheus-net keeps one collector
/// per set of label names under the family's one name, HELP and TYPE; this class finds it for each
/// series and, like <see cref="LabelledSeries"/>, removes at <see cref="Sweep"/> every series not
/// set since the last one (a pod that is gone, or whose labels changed). The first series set for
/// an identity in one publish wins. A set of label names no series has any more keeps its empty
/// collector (prometheus-net cannot unregister one, and it writes no sample); such sets repeat
/// per workload, so they stay few.
/// </summary>
internal sealed class InfoSeries
{
    private readonly MetricFactory _factory;
    private readonly string _name;
    private readonly string _help;
    private Dictionary<string, Series> _previous = new(StringComparer.Ordinal);
    private Dictionary<string, Series> _current = new(StringComparer.Ordinal);
    private readonly HashSet<string> _identities = new(StringComparer.Ordinal);

    private sealed record Series(Gauge Gauge, string[] Values);

    /// <param name="identityNames">The labels every series has; the family is registered with them
    /// right away, so it takes its place in the output now and not whenever a first series comes.</param>
    public InfoSeries(MetricFactory factory, string name, string help, string[] identityNames)
    {
        _factory = factory;
        _name = name;
        _help = help;
        factory.CreateGauge(name, help, identityNames);
    }

    /// <summary>
    /// Sets the series of <paramref name="identity"/> (the fixed labels, e.g. namespace, pod, node)
    /// and <paramref name="more"/> after them.
    /// </summary>
    public void Set(IReadOnlyList<KeyValuePair<string, string>> identity, IReadOnlyList<KeyValuePair<string, string>> more)
    {
        if (!_identities.Add(string.Join('\0', identity.Select(l => l.Value)))) return;
        string[] names = [.. identity.Select(l => l.Key), .. more.Select(l => l.Key)];
        string[] values = [.. identity.Select(l => l.Value), .. more.Select(l => l.Value)];
        var key = string.Join('\0', names) + "\0\0" + string.Join('\0', values);
        if (_current.ContainsKey(key)) return;
        // The factory hands back the collector already made for these label names.
        var gauge = _factory.CreateGauge(_name, _help, names);
        gauge.WithLabels(values).Set(1);
        _current[key] = new Series(gauge, values);
    }

    public void Sweep()
    {
        foreach (var (key, series) in _previous)
        {
            if (!_current.ContainsKey(key)) series.Gauge.RemoveLabelled(series.Values);
        }
        (_previous, _current) = (_current, _previous);
        _current.Clear();
        _identities.Clear();
    }
}

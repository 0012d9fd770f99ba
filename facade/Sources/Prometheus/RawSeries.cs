using System.Runtime.InteropServices;

namespace KubeMonitor.Facade.Sources.Prometheus;

/// <summary>
/// One series of an answer as it is read: the labels that were asked for and its samples, oldest
/// first (Unix ms). The reader reuses it for the next series: copy what you keep.
/// </summary>
internal sealed class RawSeries
{
    private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal);
    private readonly List<long> _timestamps = [];
    private readonly List<double> _values = [];

    public string? Metric => Label("__name__");

    public ReadOnlySpan<long> Timestamps => CollectionsMarshal.AsSpan(_timestamps);

    public ReadOnlySpan<double> Values => CollectionsMarshal.AsSpan(_values);

    public int Count => _timestamps.Count;

    public string? Label(string name) => _labels.GetValueOrDefault(name);

    /// <summary>The labels kept of this series.</summary>
    public IReadOnlyDictionary<string, string> Labels => _labels;

    internal void Clear()
    {
        _labels.Clear();
        _timestamps.Clear();
        _values.Clear();
    }

    internal void SetLabel(string name, string value) => _labels[name] = value;

    internal void Add(long timestampMs, double value)
    {
        _timestamps.Add(timestampMs);
        _values.Add(value);
    }
}

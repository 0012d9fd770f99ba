using Prometheus;

namespace KubeMonitor.Exporter.Metrics;

/// <summary>
/// The children of one labelled metric across publishes: each publish sets the series that
/// exist now, and <see cref="Sweep"/> removes those that were not set (a pod, container,
/// device or interface that is gone). Within one publish the first value of a label set
/// wins, so two cgroups that map to the same labels cannot make a counter flap.
/// </summary>
internal abstract class LabelledSeries
{
    private Dictionary<string, string[]> _previous = new(StringComparer.Ordinal);
    private Dictionary<string, string[]> _current = new(StringComparer.Ordinal);

    /// <summary>True the first time <paramref name="labels"/> is seen in this publish.</summary>
    protected bool Claim(string[] labels) => _current.TryAdd(string.Join('\0', labels), labels);

    protected abstract void Remove(string[] labels);

    public void Sweep()
    {
        foreach (var (key, labels) in _previous)
        {
            if (!_current.ContainsKey(key)) Remove(labels);
        }
        (_previous, _current) = (_current, _previous);
        _current.Clear();
    }
}

/// <summary>A counter that carries the kernel's cumulative value exactly.</summary>
internal sealed class CounterSeries(Counter counter) : LabelledSeries
{
    public void Set(double? value, params string[] labels)
    {
        if (value is not { } v || !Claim(labels)) return;
        var child = counter.WithLabels(labels);
        if (v < child.Value)
        {
            // The source restarted (a container, a CPU gone offline): a counter never goes
            // down, so the series is recreated and Prometheus sees a reset.
            counter.RemoveLabelled(labels);
            child = counter.WithLabels(labels);
        }
        child.IncTo(v);
    }

    protected override void Remove(string[] labels) => counter.RemoveLabelled(labels);
}

internal sealed class GaugeSeries(Gauge gauge) : LabelledSeries
{
    public void Set(double? value, params string[] labels)
    {
        if (value is not { } v || !Claim(labels)) return;
        gauge.WithLabels(labels).Set(v);
    }

    protected override void Remove(string[] labels) => gauge.RemoveLabelled(labels);
}

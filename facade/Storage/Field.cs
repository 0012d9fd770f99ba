namespace KubeMonitor.Facade.Storage;

/// <summary>How a raw value behaves: a counter only grows and is shown as its rate (and its total); a gauge is shown as it is.</summary>
internal enum FieldKind
{
    Counter,
    Gauge,
}

/// <summary>
/// One raw value of an entity kind. <see cref="Section"/> and <see cref="Name"/> are where it sits
/// in a push and in a view (<c>cpu.usageSecondsTotal</c>); <see cref="Metric"/> is the exporter's
/// metric that carries it (docs/api.md section 4), summed over every series of the entity that
/// <see cref="Matchers"/> admits (a node's disks, its interfaces but <c>lo</c>); a counter's
/// <see cref="RateName"/> is the view name of its rate (<c>usageCores</c>).
/// </summary>
internal record Field(string Section, string Name, FieldKind Kind, string Metric, string? RateName = null, string? Matchers = null)
{
    public string Path => $"{Section}.{Name}";
}

/// <summary>A <see cref="Field"/> with where a pushed sample holds it.</summary>
internal sealed record Field<TSample>(
    string Section, string Name, FieldKind Kind, string Metric, Func<TSample, double?> Read, string? RateName = null, string? Matchers = null)
    : Field(Section, Name, Kind, Metric, RateName, Matchers);

namespace KubeMonitor.Facade.Storage;

/// <summary>How a raw value behaves: a counter only grows and is shown through its changes (and its total); a gauge is shown as it is.</summary>
internal enum FieldKind
{
    Counter,
    Gauge,
}

/// <summary>
/// One raw value of an entity kind. <see cref="Section"/> and <see cref="Name"/> are where it sits
/// in a view (<c>cpu.usageSecondsTotal</c>) and, unless <see cref="PushPath"/> says otherwise
/// (<c>resources.cpuLimitCores</c> shows as <c>cpu.limitCores</c>), in a push; <see cref="Metric"/>
/// is the exporter's metric that carries it (docs/api.md sections 4 and 6), summed over every
/// series of the entity that <see cref="Matchers"/> admits (a node's disks, its interfaces but
/// <c>lo</c>, a pod's containers). A counter's <see cref="RateName"/> is the view name of its rate
/// (<c>usageCores</c>), its <see cref="IncreaseName"/> that of its increase over the interval
/// (<c>oomKills</c>); with neither it only feeds derived values and shows its total.
/// <see cref="InRollups"/>: namespace and deployment views sum it (its rate, increase or value).
/// <see cref="PredictedFrom"/>: the path of an earlier value of the same entity that it moves
/// with, which the store codes it from (<see cref="ColumnReferences"/>; changing it changes the
/// stored format).
/// </summary>
internal record Field(
    string Section, string Name, FieldKind Kind, string Metric, string? RateName = null, string? Matchers = null,
    string? IncreaseName = null, string? Pushed = null, bool InRollups = true, string? PredictedFrom = null)
{
    // Made once: a push's check names it for every value it reads.
    public string Path { get; } = $"{Section}.{Name}";

    /// <summary>Where a push holds the value, for messages.</summary>
    public string PushPath => Pushed ?? Path;
}

/// <summary>A <see cref="Field"/> with where a pushed sample holds it.</summary>
internal sealed record Field<TSample>(
    string Section, string Name, FieldKind Kind, string Metric, Func<TSample, double?> Read, string? RateName = null, string? Matchers = null,
    string? IncreaseName = null, string? Pushed = null, bool InRollups = true, string? PredictedFrom = null)
    : Field(Section, Name, Kind, Metric, RateName, Matchers, IncreaseName, Pushed, InRollups, PredictedFrom);

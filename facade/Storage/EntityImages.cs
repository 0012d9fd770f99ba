namespace KubeMonitor.Facade.Storage;

// What a checkpoint holds of each entity: enough to make it again as it was, samples and what
// its newest sample said (labels, a pod's node and owners).

internal sealed record NodeImage(string Name, LabelSet? Labels, SeriesImage Series);

/// <summary>A pod's rows with its containers' places (<see cref="PodRowLayout"/>), and who holds each place.</summary>
internal sealed record PodImage(PodIdentity Identity, SeriesImage Series, IReadOnlyList<ContainerPlace> Places);

/// <summary>
/// Who holds a container place of a pod's rows: a container (null: the place is free), from which
/// time on its rows are that container's, and the time of its newest row (null: none yet).
/// </summary>
internal readonly record struct ContainerPlace(string? Name, long SinceMs, long? NewestMs);

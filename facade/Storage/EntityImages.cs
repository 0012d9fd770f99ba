namespace KubeMonitor.Facade.Storage;

// What a checkpoint holds of each entity: enough to make it again as it was, samples and what
// its newest sample said (labels, a pod's node and owners).

internal sealed record NodeImage(string Name, LabelSet? Labels, SeriesImage Series);

internal sealed record PodImage(PodIdentity Identity, SeriesImage Series, IReadOnlyList<ContainerImage> Containers);

internal sealed record ContainerImage(string Name, SeriesImage Series);

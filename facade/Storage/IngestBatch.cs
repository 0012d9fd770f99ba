namespace KubeMonitor.Facade.Storage;

// What passes from ingest to the store: validated, names checked, timestamps resolved to Unix
// milliseconds, values laid out in the columns of Fields.cs. The only input type of the store.

internal sealed record IngestBatch(NodeEntry? Node, IReadOnlyList<PodEntry> Pods);

internal sealed record NodeEntry(string Name, long TimestampMs, double[] Values);

internal sealed record PodEntry(
    string Namespace,
    string Name,
    string? Node,
    string? Uid,
    string? OwnerKind,
    string? OwnerName,
    string? Deployment,
    long TimestampMs,
    double[] Values,
    IReadOnlyList<ContainerEntry> Containers);

internal sealed record ContainerEntry(string Name, double[] Values);

/// <summary>What the store did with a batch: counts per outcome, or nothing at all past the series cap.</summary>
internal sealed record StoreOutcome(bool SeriesCapExceeded, int Stored, int Duplicates, int OutOfOrder, int TooOld)
{
    public static StoreOutcome CapExceeded { get; } = new(true, 0, 0, 0, 0);
}

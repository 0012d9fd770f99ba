namespace KubeMonitor.Facade.Storage;

// What passes from ingest to the store: validated, names checked, timestamps resolved to Unix
// milliseconds, values laid out in the columns of Fields.cs. The only input type of the store.

internal sealed record IngestBatch(NodeEntry? Node, IReadOnlyList<PodEntry> Pods)
{
    /// <summary>How far every timestamp was shifted to the facade's clock (the sender's clock offset; 0 when none).</summary>
    public long ClockOffsetMs { get; init; }
}

internal sealed record NodeEntry(string Name, long TimestampMs, double[] Values, LabelSet? Labels = null);

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
    ContainerEntry[] Containers,
    LabelSet? Labels = null);

internal sealed record ContainerEntry(string Name, double[] Values);

/// <summary>Why nothing of a batch was stored.</summary>
internal enum StoreRefusal
{
    None,

    /// <summary>The batch would take one node (<see cref="StoreOutcome.RefusedNode"/>) past its own series quota.</summary>
    NodeQuota,

    /// <summary>Every series of the batch is new and the store is at its global cap.</summary>
    SeriesCap,

    /// <summary>The store cannot take pushes now (loading from disk, or its disk refuses writes); <see cref="StoreOutcome.Detail"/> says why.</summary>
    Unavailable,
}

/// <summary>
/// What the store did with a batch: counts per outcome; <see cref="SeriesRefused"/> new series
/// left out at the global cap (the batch's other series were stored); or, with a
/// <see cref="Refusal"/>, nothing at all.
/// </summary>
internal sealed record StoreOutcome(
    int Stored, int Duplicates, int OutOfOrder, int TooOld, int SeriesRefused = 0,
    StoreRefusal Refusal = StoreRefusal.None, string? RefusedNode = null, string? Detail = null)
{
    public static StoreOutcome Unavailable(string detail) => new(0, 0, 0, 0, Refusal: StoreRefusal.Unavailable, Detail: detail);
}

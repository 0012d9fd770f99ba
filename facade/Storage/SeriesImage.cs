namespace KubeMonitor.Facade.Storage;

/// <summary>
/// One <see cref="EntitySeries"/> as a checkpoint holds it: the closed chunks and the open head
/// chunk as they are (no re-encoding), and the oldest timestamp still visible. The head is in the
/// chunk layout (timestamp stream, then value stream); appending goes on from where it ends.
/// </summary>
/// <param name="DecodedHead">Checkpoints of format version 1 held the head's rows decoded instead
/// of <paramref name="Head"/>; still read, so that an upgrade keeps its window.</param>
internal sealed record SeriesImage(IReadOnlyList<ClosedChunk> Chunks, ClosedChunk Head, long OldestVisibleMs, HeadRows? DecodedHead = null)
{
    public static readonly SeriesImage Empty = new([], default, 0);

    /// <summary>A series always has a head row when it has any: without one it is empty.</summary>
    public bool IsEmpty => DecodedHead is { } rows ? rows.Timestamps.Length == 0 : Head.Count == 0;
}

/// <summary>A head chunk's rows decoded: timestamps, and <c>FieldCount</c> values per row (row-major).</summary>
internal sealed record HeadRows(long[] Timestamps, double[] Values);

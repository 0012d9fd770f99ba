namespace KubeMonitor.Facade.Storage;

/// <summary>
/// Where closed chunks are written once, when a checkpoint first meets them (the data directory's
/// chunk files, as Prometheus' <c>chunks_head</c>): a chunk never changes once closed, so later
/// checkpoints name its place instead of writing its bytes again.
/// </summary>
internal interface IChunkArchive
{
    /// <summary>
    /// The chunk's place: <paramref name="storedAt"/> (its last place, or 0) when the archive still
    /// holds it there, else a new one (never 0) after writing <paramref name="bytes"/>.
    /// </summary>
    long Place(ReadOnlySpan<byte> bytes, long storedAt);
}

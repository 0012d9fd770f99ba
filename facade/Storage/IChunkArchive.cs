namespace KubeMonitor.Facade.Storage;

/// <summary>
/// Where closed chunks are written once, when a checkpoint first meets them (the data directory's
/// chunk files, as Prometheus' <c>chunks_head</c>): a chunk never changes once closed, so later
/// checkpoints name its place instead of writing its bytes again.
/// </summary>
internal interface IChunkArchive
{
    /// <summary>
    /// The chunk's place: <see cref="ClosedChunk.StoredAt"/> when the archive still holds it there,
    /// else a new one (never 0) after writing its bytes.
    /// </summary>
    long Place(in ClosedChunk chunk);
}

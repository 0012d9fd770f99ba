using System.Buffers;
using System.Diagnostics;

namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// The store's whole window, <c>checkpoint.NNNNNNNN</c>, where NNNNNNNN is the first log segment
/// that a start replays after loading it (the segments before it are in it): every entity with its
/// open head chunk, and the places of its closed chunks in the chunk files (<see cref="ChunkFiles"/>),
/// where the chunks closed since the checkpoint before are written first. Written to a temporary
/// file, synced after the chunks it names, and renamed: a checkpoint is whole or absent, never torn.
/// </summary>
internal static class Checkpoint
{
    private const string Prefix = "checkpoint.";
    private const string Unfinished = "checkpoint.tmp";

    /// <param name="Bytes">The checkpoint file's size.</param>
    /// <param name="ChunkBytes">Bytes of the chunks it wrote (those closed since the checkpoint before).</param>
    /// <param name="ChunkFilesDeleted">Chunk files it no longer names, deleted.</param>
    public sealed record Written(string Path, long Bytes, long ChunkBytes, int ChunkFilesDeleted, int Nodes, int Pods, TimeSpan Took);

    /// <param name="ChunkFiles">The chunk files it named and that were read (version 3).</param>
    public sealed record Loaded(string? Path, long FirstSegment, int Nodes, int Pods, string? Problem, IReadOnlySet<long> ChunkFiles);

    /// <summary>Writes every entity of <paramref name="store"/>, each imaged under its own lock while pushes go on.</summary>
    public static Written Write(string dataDirectory, long firstSegment, InMemoryMetricsStore store, ChunkFiles chunkFiles, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var temporary = Path.Combine(dataDirectory, Unfinished);
        var writer = new RecordWriter();
        var frame = new ArrayBufferWriter<byte>(256 * 1024);
        using var chunks = chunkFiles.Begin();
        int nodes = 0, pods = 0;
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1024 * 1024))
            {
                void Put(RecordKind kind)
                {
                    frame.ResetWrittenCount();
                    // No Snappy: chunks are compressed already (it saved 0.6 % of a 690 MB checkpoint for 11 % of its CPU).
                    Frames.Write(kind, writer.Written, frame, compress: false);
                    file.Write(frame.WrittenSpan);
                    writer.Clear();
                }
                FormatHeader.ForCheckpoint(firstSegment).Write(writer);
                Put(RecordKind.Header);
                foreach (var node in store.NodeImages(chunks))
                {
                    if (node.Series.IsEmpty) continue;
                    ImageCodec.Write(node, writer);
                    Put(RecordKind.Node);
                    nodes++;
                }
                foreach (var pod in store.PodImages(chunks))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (pod.Series.IsEmpty) continue;
                    ImageCodec.Write(pod, writer);
                    Put(RecordKind.Pod);
                    pods++;
                }
                writer.Varint((ulong)nodes);
                writer.Varint((ulong)pods);
                Put(RecordKind.End);
                chunks.Sync();
                file.Flush(flushToDisk: true);
            }
            var path = Path.Combine(dataDirectory, Prefix + WriteAheadLog.SegmentName(firstSegment));
            File.Move(temporary, path, overwrite: true);
            DirectorySync.Sync(dataDirectory);
            foreach (var (_, older) in Find(dataDirectory).Where(c => c.Path != path)) File.Delete(older);
            var deleted = chunkFiles.Commit(chunks);
            return new Written(path, new FileInfo(path).Length, chunks.BytesWritten, deleted, nodes, pods, watch.Elapsed);
        }
        catch
        {
            TryDelete(temporary);
            chunks.Abandon();
            throw;
        }
    }

    /// <summary>
    /// Loads the newest checkpoint into an empty store. Never throws over what it finds: a
    /// checkpoint of another format is not loaded, a damaged one is loaded up to its damage, and
    /// <see cref="Loaded.Problem"/> says so; <see cref="Loaded.FirstSegment"/> is where replay starts.
    /// </summary>
    public static Loaded Load(string dataDirectory, InMemoryMetricsStore store, StringPool? strings = null)
    {
        TryDelete(Path.Combine(dataDirectory, Unfinished));
        var newest = Find(dataDirectory).LastOrDefault();
        if (newest.Path is null) return new Loaded(null, 0, 0, 0, null, new HashSet<long>());
        int nodes = 0, pods = 0;
        bool ended = false;
        using var file = new FileStream(newest.Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1024 * 1024);
        using var chunks = new ChunkFiles.Reader(dataDirectory);
        string? restoreProblem = null;
        var scan = Pipelined.Run<object, RecordFile.Scan>(
            hand => RecordFile.Read(file, header => (kind, payload) =>
            {
                switch (kind)
                {
                    case RecordKind.Node or RecordKind.Pod:
                        if (kind == RecordKind.Node) nodes++;
                        else pods++;
                        try
                        {
                            hand(kind == RecordKind.Node
                                ? ImageCodec.ReadNode(payload, header.Version, chunks, strings)
                                : ImageCodec.ReadPod(payload, header.Version, chunks, strings));
                        }
                        catch (UnreadableChunkException e)
                        {
                            // One entity lost, not the rest of the checkpoint.
                            Interlocked.CompareExchange(ref restoreProblem, e.Message, null);
                        }
                        break;
                    case RecordKind.End:
                        var reader = new RecordReader(payload);
                        if ((int)reader.Varint() != nodes || (int)reader.Varint() != pods) throw new InvalidDataException("its end record counts other entities than it holds");
                        ended = true;
                        break;
                    default:
                        throw new InvalidDataException($"a {kind} record has no place in a checkpoint");
                }
            }),
            image =>
            {
                try
                {
                    if (image is NodeImage node) store.Restore(node);
                    else store.Restore((PodImage)image);
                }
                catch (InvalidDataException e)
                {
                    Interlocked.CompareExchange(ref restoreProblem, e.Message, null);
                }
            });
        if (scan.Header is null || scan.Header.Incompatibility() is not null)
        {
            // Not ours to read: replay whatever log there is, from its oldest segment.
            return new Loaded(newest.Path, 0, 0, 0, $"not loaded: {scan.Problem}", new HashSet<long>());
        }
        var problem = scan.Problem is { } broken ? $"loaded up to byte {scan.GoodLength} only: {broken}"
            : !ended ? "loaded, but it has no end record (it was cut short)"
            : restoreProblem is not null ? $"loaded, but not all of it: {restoreProblem}"
            : null;
        return new Loaded(newest.Path, scan.Header.Number, nodes, pods, problem, chunks.FilesRead);
    }

    /// <summary>The checkpoints in a data folder, oldest first.</summary>
    private static List<(long Number, string Path)> Find(string dataDirectory) => NumberedFiles.In(dataDirectory, Prefix);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only disk: the leftover is never read (only checkpoint.NNNNNNNN are).
        }
    }
}

namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// Replays the log's segments into the store at start, oldest first. A segment is read up to its
/// last intact record and cut there (a torn tail is what a kill in the middle of a write leaves);
/// unlike Prometheus, which drops every later segment after a damaged one, the later segments are
/// still replayed: each record names its entities in full, so none depends on one before it.
/// </summary>
internal static class LogReplay
{
    public sealed record Replayed(long LastSegment, int Segments, int Records, long Stored, int TornSegments, List<string> Problems);

    public static Replayed Run(string segmentsDirectory, long fromSegment, InMemoryMetricsStore store, StringPool? strings = null)
    {
        var problems = new List<string>();
        long last = fromSegment - 1, stored = 0;
        int segments = 0, records = 0, torn = 0;
        foreach (var (number, path) in WriteAheadLog.Segments(segmentsDirectory))
        {
            last = Math.Max(last, number);
            if (number < fromSegment) continue;
            segments++;
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1024 * 1024);
            var scan = Pipelined.Run<IngestBatch, RecordFile.Scan>(
                hand => RecordFile.Read(file, (kind, payload) =>
                {
                    if (kind != RecordKind.Batch) throw new InvalidDataException($"a {kind} record has no place in the log");
                    hand(BatchCodec.Read(payload, strings));
                }),
                batch => stored += store.Store(batch).Stored);
            records += scan.Records;
            if (scan.Problem is null) continue;
            if (scan.Header is not null && scan.Header.Incompatibility() is { } incompatible)
            {
                problems.Add($"segment {path} skipped: {incompatible}");
                continue;
            }
            torn++;
            var dropped = file.Length - scan.GoodLength;
            problems.Add($"segment {path} replayed up to byte {scan.GoodLength} ({scan.Records} records), then {scan.Problem}; "
                + $"the {dropped} bytes after it are dropped: {CutAt(path, scan.GoodLength)}");
        }
        return new Replayed(last, segments, records, stored, torn, problems);
    }

    /// <summary>Cuts a damaged segment after its last intact record, so a later read stops nowhere earlier.</summary>
    private static string CutAt(string path, long goodLength)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            file.SetLength(goodLength);
            file.Flush(flushToDisk: true);
            return "cut there";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"left as it is ({e.Message})";
        }
    }
}

using System.Buffers;
using System.Diagnostics;
using System.Globalization;

namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// The log's writing side: records appended to numbered segment files (<c>wal/00000001</c>, ...),
/// each starting with a <see cref="FormatHeader"/>. A record is handed to the kernel before
/// <see cref="Append"/> returns, so a killed process loses nothing appended; <see cref="Sync"/>
/// makes it survive a power loss too, one fsync for every record appended before it (group
/// commit). Appends are serialized by the caller; <see cref="Sync"/> may run beside them.
/// </summary>
internal sealed class WriteAheadLog : IDisposable
{
    /// <summary>A segment this full is closed and the next one started (Prometheus: 128 MB).</summary>
    public const long SegmentBytes = 64 * 1024 * 1024;

    private readonly string _directory;
    private readonly RecordWriter _payload = new();
    private readonly ArrayBufferWriter<byte> _frame = new(64 * 1024);
    private readonly Lock _syncGate = new();
    private readonly IDataDirectoryMetrics? _metrics;
    private FileStream? _segment;
    private long _segmentNumber;
    // Bytes appended since start (all segments) and bytes known to be on disk: positions for Sync.
    private long _written;
    private long _synced;
    // A failed write that could not be cut off again: the segment's tail is unknown.
    private bool _tailUnknown;

    public WriteAheadLog(string directory, long nextSegment, IDataDirectoryMetrics? metrics = null)
    {
        _directory = directory;
        _metrics = metrics;
        _segmentNumber = nextSegment - 1;
    }

    public static string SegmentsIn(string dataDirectory) => Path.Combine(dataDirectory, "wal");

    public static string SegmentName(long number) => number.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>The segment being written (0 before the first).</summary>
    public long CurrentSegment => Interlocked.Read(ref _segmentNumber);

    /// <summary>
    /// Writes one record to the kernel (not yet to disk) and returns the position to pass to
    /// <see cref="Sync"/>. On failure (disk full, read-only) the segment is cut back to its last
    /// whole record and the exception passes on: nothing of the record stays.
    /// </summary>
    public long Append(RecordKind kind, Action<RecordWriter> write)
    {
        var segment = _segment is { } open && !_tailUnknown && open.Length < SegmentBytes ? open : StartSegment();
        _payload.Clear();
        write(_payload);
        _frame.ResetWrittenCount();
        Frames.Write(kind, _payload.Written, _frame);
        var goodLength = segment.Length;
        try
        {
            segment.Write(_frame.WrittenSpan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CutBack(segment, goodLength);
            throw;
        }
        _metrics?.LogWritten(_frame.WrittenCount);
        return Interlocked.Add(ref _written, _frame.WrittenCount);
    }

    /// <summary>Makes every record up to <paramref name="position"/> durable (fsync), unless a sync since has.</summary>
    public void Sync(long position)
    {
        if (Interlocked.Read(ref _synced) >= position) return;
        lock (_syncGate)
        {
            if (_synced >= position) return;
            var target = Interlocked.Read(ref _written);
            if (_segment is { } open) Fsync(open);
            Interlocked.Exchange(ref _synced, target);
        }
    }

    /// <summary>Syncs all appended so far (the periodic policy's tick).</summary>
    public void SyncAll() => Sync(Interlocked.Read(ref _written));

    /// <summary>
    /// Closes the segment being written (synced) and starts the next; returns the new number. Every
    /// record appended before this is in a lower segment. Serialized with <see cref="Append"/>.
    /// </summary>
    public long Cut()
    {
        StartSegment();
        return _segmentNumber;
    }

    /// <summary>Deletes the segments before <paramref name="firstKept"/> (their records are in a checkpoint).</summary>
    public int RemoveBefore(long firstKept)
    {
        var removed = 0;
        foreach (var (number, path) in Segments(_directory))
        {
            if (number >= firstKept) break;
            File.Delete(path);
            removed++;
        }
        return removed;
    }

    /// <summary>The segment files of a log folder, oldest first; files not named by a number are not the log's.</summary>
    public static List<(long Number, string Path)> Segments(string directory) => NumberedFiles.In(directory);

    private FileStream StartSegment()
    {
        lock (_syncGate)
        {
            var next = _segmentNumber + 1;
            Directory.CreateDirectory(_directory);
            var path = Path.Combine(_directory, SegmentName(next));
            // No buffer of our own: each record goes to the kernel in one write().
            var segment = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
            try
            {
                _payload.Clear();
                FormatHeader.ForLogSegment(next).Write(_payload);
                _frame.ResetWrittenCount();
                Frames.Write(RecordKind.Header, _payload.Written, _frame);
                segment.Write(_frame.WrittenSpan);
                _metrics?.LogWritten(_frame.WrittenCount);
                Fsync(segment);
                DirectorySync.Sync(_directory);
            }
            catch
            {
                segment.Dispose();
                File.Delete(path);
                throw;
            }
            if (_segment is { } previous)
            {
                // What the old segment holds is on disk before anything goes to the new one.
                if (!_tailUnknown) Fsync(previous);
                previous.Dispose();
            }
            _segment = segment;
            _tailUnknown = false;
            _synced = _written;
            Interlocked.Exchange(ref _segmentNumber, next);
            return segment;
        }
    }

    private void Fsync(FileStream segment)
    {
        var started = Stopwatch.GetTimestamp();
        segment.Flush(flushToDisk: true);
        _metrics?.LogSynced(Stopwatch.GetElapsedTime(started));
    }

    private void CutBack(FileStream segment, long goodLength)
    {
        try
        {
            segment.SetLength(goodLength);
            segment.Position = goodLength;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next append starts a new segment; a reader stops at this one's broken tail.
            _tailUnknown = true;
        }
    }

    public void Dispose()
    {
        lock (_syncGate)
        {
            if (_segment is null) return;
            try
            {
                if (!_tailUnknown) Fsync(_segment);
            }
            finally
            {
                _segment.Dispose();
                _segment = null;
            }
        }
    }
}

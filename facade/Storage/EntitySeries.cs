using System.Runtime.CompilerServices;

namespace KubeMonitor.Facade.Storage;

/// <summary>What <see cref="EntitySeries.Append"/> did with a sample.</summary>
public enum AppendResult
{
    Stored,
    /// <summary>The series already holds this timestamp: accepted, not stored twice (retries are safe).</summary>
    Duplicate,
    /// <summary>Older than the newest sample: dropped and counted.</summary>
    OutOfOrder,
}

/// <summary>
/// The samples of one entity (a node, or a pod with its containers): one timestamp column (Unix ms) and
/// a fixed number of value columns, appended in time order. A value of NaN means "absent in this
/// sample" (a section the collector did not send). Not thread-safe: the store locks per entity.
/// </summary>
/// <remarks>
/// Compressed like Prometheus' chunks (see <see cref="TimestampCodec"/> and <see cref="ValueCodec"/>):
/// samples go into chunks of up to <see cref="SamplesPerChunk"/> rows. The open head chunk is
/// appended bit by bit; a full one becomes an immutable buffer holding the timestamp stream
/// followed by the value stream (row by row, all columns). Every chunk decodes on its own, so
/// retention releases whole chunks. The streams are in native memory (the open head's in
/// <see cref="HeadStreams"/>, closed chunks in <see cref="ChunkSlabs"/>), freed when retention
/// drops them, or by the finalizer once the series is gone. Samples older
/// than the bound that still share a chunk with newer ones are hidden (not counted, never read),
/// so callers see exactly the samples they kept.
/// Values come back bit for bit as appended, NaN payloads and -0 included.
/// </remarks>
public sealed class EntitySeries
{
    /// <summary>
    /// 90 rows (7.5 minutes at 5 s): measured on realistic pods (bench/StorageBench), the least
    /// memory per held sample at 1 h retention and close to it at 15 minutes. Larger chunks hold
    /// more expired rows until the whole chunk expires; smaller ones pay each chunk's first row
    /// and table entry more often.
    /// </summary>
    public const int DefaultSamplesPerChunk = 90;

    // Closed chunks, oldest first, in _chunks[_firstChunk .. _firstChunk + _chunkCount).
    private HeldChunk[]? _chunks;
    private int _firstChunk;
    private int _chunkCount;

    // The open head chunk: separate timestamp and value streams (Times, Values and, for a series
    // whose rows are in two parts, SecondValues: see _split), so that retention can walk
    // timestamps without decoding values. Holds at least one sample whenever Count > 0.
    private HeadStreams _head;
    private const int Times = 0, Values = 1, SecondValues = 2;
    private PackedColumnState[]? _columns;
    // Kept aside for the few columns that need them (see PackedColumnState): a delta beyond 32
    // bits, and the bits of a newest value that is a NaN other than the canonical one.
    private long[]? _wideDeltas;
    private ulong[]? _otherNaNs;
    private int _headCount;
    private long _headFirst;
    private long _headLast;
    private long _headLastDelta;

    // The row before the newest, uncompressed: "current value and rate" views read it and the
    // newest row (which the column states hold) for every pod without decoding a chunk.
    private RowBeforeNewest _previous;
    private long _previousTimestamp;

    // Retention within the oldest chunk: how many of its samples are hidden, and the timestamp
    // decoder's state at the first visible one, so the next DropBefore walks on from there.
    private int _hidden;
    private int _liveBitPosition;
    private long _liveTimestamp;
    private long _liveDelta;

    private int _count;

    // Rows at which the open head closes: SamplesPerChunk, except for a staggered series' first chunk.
    private int _headRows;

    // Series made by Staggered so far: each takes the next length for its first chunk.
    private static uint s_staggered;

    public EntitySeries(int fieldCount) : this(fieldCount, DefaultSamplesPerChunk)
    {
    }

    /// <param name="fieldCount">Value columns per sample.</param>
    /// <param name="samplesPerChunk">Rows per chunk (2 to 1000). Retention frees whole chunks, so
    /// smaller chunks hold fewer expired samples; larger ones spread the cost of each chunk's first row.</param>
    /// <param name="firstChunkRows">Rows of the first chunk (1 to <paramref name="samplesPerChunk"/>;
    /// 0 for <paramref name="samplesPerChunk"/>); see <see cref="Staggered"/>.</param>
    public EntitySeries(int fieldCount, int samplesPerChunk, int firstChunkRows = 0) : this(fieldCount, samplesPerChunk, firstChunkRows, null)
    {
    }

    /// <param name="references">The columns coded from another column of their row (<see cref="FieldTable.References"/>), or none.</param>
    /// <param name="split">Columns of the rows' first part, each part in a value stream of its own
    /// (<see cref="ChunkView"/>): a read of the first part's columns decodes only its stream. 0: one part.</param>
    internal EntitySeries(int fieldCount, int samplesPerChunk, int firstChunkRows, ColumnReferences? references, int split = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fieldCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerChunk, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(samplesPerChunk, 1000);
        ArgumentOutOfRangeException.ThrowIfNegative(firstChunkRows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstChunkRows, samplesPerChunk);
        if (references is not null && references.Count != fieldCount) throw new ArgumentException($"References for {references.Count} columns, a series of {fieldCount}.", nameof(references));
        ArgumentOutOfRangeException.ThrowIfNegative(split);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(split, fieldCount);
        FieldCount = fieldCount;
        _split = split == 0 ? fieldCount : split;
        SamplesPerChunk = samplesPerChunk;
        _references = references;
        _headRows = firstChunkRows == 0 ? samplesPerChunk : firstChunkRows;
    }

    /// <summary>
    /// A series whose first chunk closes after half to all of <see cref="DefaultSamplesPerChunk"/>
    /// rows, the next length for each series made, so that series which start on the same push
    /// (every pod of a cluster the facade has just met) close their chunks on different pushes from
    /// then on. Closing together, every open head was full at the same time, and the allocator kept
    /// that peak of heads as free blocks between them: with the slabs of <see cref="ChunkSlabs"/>
    /// the allocator mapped 99 MB instead of 163 at 30,000 pods (docs/benchmarks.md, "Closed
    /// chunks in page slabs"; runs that held only part of their hour, so indicative).
    /// </summary>
    public static EntitySeries Staggered(int fieldCount) => Staggered(fieldCount, null);

    /// <summary>A staggered series (see <see cref="Staggered(int)"/>) of a field table's columns, coded as it says (<see cref="FieldTable.References"/>).</summary>
    internal static EntitySeries Staggered(FieldTable table) => Staggered(table.Count, table.References);

    /// <summary>A staggered series (see <see cref="Staggered(int)"/>) coded as <paramref name="references"/> say, its rows in two parts from <paramref name="split"/> on (0: one).</summary>
    internal static EntitySeries Staggered(int fieldCount, ColumnReferences? references, int split = 0)
    {
        const int Shortest = DefaultSamplesPerChunk / 2, Lengths = DefaultSamplesPerChunk - Shortest + 1;
        var turn = Interlocked.Increment(ref s_staggered);
        return new EntitySeries(fieldCount, DefaultSamplesPerChunk, Shortest + (int)(turn % Lengths), references, split);
    }

    /// <summary>
    /// A series no one can reach any more (its pod, container or node was dropped, or a restore
    /// failed) gives its native streams back. Every method that reads them keeps the series alive
    /// until it returns (<see cref="GC.KeepAlive"/>), so this never runs under a reader.
    /// </summary>
    ~EntitySeries() => FreeStreams();

    public int FieldCount { get; }

    // Which columns are coded from another column of their row; the decoders of its chunks take the same.
    private readonly ColumnReferences? _references;

    // Columns of the rows' first part: FieldCount for rows in one part.
    private readonly int _split;

    private bool InTwoParts => _split < FieldCount;

    public int SamplesPerChunk { get; }

    /// <summary>Samples held.</summary>
    public int Count => _count;

    /// <summary>Timestamp of the newest sample, or null when empty.</summary>
    public long? LastTimestamp => _count == 0 ? null : _headLast;

    /// <summary>Closed (immutable) chunks held, not counting the open head chunk.</summary>
    public int ClosedChunkCount => _chunkCount;

    /// <summary>
    /// Bytes of sample data held (for the facade's own metrics and the benchmark): the length of
    /// every buffer this series keeps (closed chunks, the head's buffers with their spare room,
    /// the column states, the row before the newest, the chunk table, the values kept aside), plus
    /// 24 bytes of CLR header per array and 16 of the allocator's per head buffer (closed chunks
    /// are packed into slabs without one). The series object itself (about 130 bytes) is not counted.
    /// </summary>
    public long BytesHeld
    {
        get
        {
            const int ArrayHeader = 24;
            const int NativeHeader = 16;
            long bytes = 0;
            if (_chunks is not null)
            {
                bytes += ArrayHeader + (long)_chunks.Length * Unsafe.SizeOf<HeldChunk>();
                for (var i = 0; i < _chunkCount; i++) bytes += _chunks[_firstChunk + i].Length;
            }
            if (_columns is not null) bytes += ArrayHeader + (long)_columns.Length * PackedColumnStateSize;
            bytes += _previous.BytesHeld;
            if (_wideDeltas is not null) bytes += ArrayHeader + (long)_wideDeltas.Length * sizeof(long);
            if (_otherNaNs is not null) bytes += ArrayHeader + (long)_otherNaNs.Length * sizeof(ulong);
            if (_head.Capacity > 0) bytes += NativeHeader + _head.Capacity;
            return bytes;
        }
    }

    /// <summary>Bytes of the encoded streams alone (closed chunks and what the head has written), hidden rows included: the compression figure.</summary>
    public long EncodedBytes
    {
        get
        {
            long bytes = _head.WrittenBytes;
            for (var i = 0; i < _chunkCount; i++) bytes += _chunks![_firstChunk + i].Length;
            return bytes;
        }
    }

    private static int PackedColumnStateSize => Unsafe.SizeOf<PackedColumnState>();

    // Rows this wide or narrower are decoded on the stack (a pod with up to 21 containers' places).
    internal const int MaxStackColumns = 256;

    public AppendResult Append(long timestampMs, ReadOnlySpan<double> values)
    {
        if (values.Length != FieldCount) throw new ArgumentException($"Expected {FieldCount} values, got {values.Length}.", nameof(values));
        if (_count > 0)
        {
            if (timestampMs == _headLast) return AppendResult.Duplicate;
            if (timestampMs < _headLast) return AppendResult.OutOfOrder;
        }

        _previousTimestamp = _headLast;
        // The newest row is about to become the previous one; the column states hold it until
        // they take the new row (or start over with the next chunk). A head with no rows yet
        // (only just restored) had its previous row kept whole by RestoreChunks.
        var hadRows = _count > 0;
        Span<double> previous = FieldCount <= MaxStackColumns ? stackalloc double[FieldCount] : new double[FieldCount];
        if (_count == 0)
        {
            StartEmpty(timestampMs);
        }
        else if (_headCount == 0)
        {
            _previous.CopyTo(previous, previous);
        }
        else
        {
            CopyNewest(previous);
            // A chunk's table entry keeps its span in 32 bits: a sample after a gap of 49 days starts a new one.
            if (_headCount >= _headRows || timestampMs - _headFirst > HeldChunk.MaxSpanMs) CloseHead();
        }

        if (_headCount == 0)
        {
            _headFirst = _headLast = timestampMs;
            _headLastDelta = 0;
        }
        else
        {
            var times = _head.Writer(Times);
            TimestampCodec.Write(ref times, timestampMs, ref _headLast, ref _headLastDelta);
        }
        // The later columns predicted from a reference take its move (as ChunkDecoder does).
        Unsafe.SkipInit(out ReferenceMoves moves);
        var first = _head.Writer(Values);
        WritePart(ref first, values, 0, _split, ref moves);
        if (InTwoParts)
        {
            var second = _head.Writer(SecondValues);
            WritePart(ref second, values, _split, FieldCount, ref moves);
        }
        if (hadRows) _previous.Keep(previous, values);
        _headCount++;
        _count++;
        return AppendResult.Stored;
    }

    /// <summary>Codes columns [<paramref name="from"/>, <paramref name="to"/>) of a row into one value stream, its steady bit first.</summary>
    private void WritePart(ref BitWriter stream, ReadOnlySpan<double> values, int from, int to, ref ReferenceMoves moves)
    {
        var columns = _columns!;
        // The part's first bit: 0 when every steady column repeats (their codes are left out).
        var anySteady = false;
        var steadyRepeat = true;
        for (var f = from; f < to; f++)
        {
            if (!columns[f].IsSteady) continue;
            anySteady = true;
            if (!columns[f].Repeats(values[f]))
            {
                steadyRepeat = false;
                break;
            }
        }
        if (anySteady) stream.WriteBit(!steadyRepeat);
        var skipSteady = anySteady && steadyRepeat;
        var predictedFrom = _references is null ? default : _references.PredictedFrom;
        var slots = _references is null ? default : _references.Slots;
        for (var f = from; f < to; f++)
        {
            // A skipped column's state stays as it is, as after a 0 code.
            var skipped = skipSteady && columns[f].IsSteady;
            var slot = slots.IsEmpty ? -1 : slots[f];
            if (skipped && slot < 0) continue;
            var state = columns[f].Unpack(_wideDeltas, f);
            var deltaBefore = state.LastDelta;
            if (!skipped)
            {
                ref readonly var reference = ref predictedFrom.IsEmpty || predictedFrom[f] < 0 ? ref ReferenceMove.None : ref moves[predictedFrom[f]];
                ValueCodec.Write(ref stream, ref state, values[f], in reference);
                Keep(f, state, values[f]);
            }
            if (slot >= 0) moves[slot] = ReferenceMove.Of(deltaBefore, state);
        }
    }

    /// <summary>Forgets every sample older than <paramref name="minTimestampMs"/>; returns how many.</summary>
    /// <remarks>
    /// Closed chunks whose newest sample is older are released; older samples in the chunk that
    /// straddles the bound are hidden until the whole chunk expires. Cheap when nothing expires
    /// (one comparison), and walks only the expiring timestamps otherwise.
    /// </remarks>
    public int DropBefore(long minTimestampMs)
    {
        var dropped = DropBeforeCore(minTimestampMs);
        GC.KeepAlive(this); // the native streams it read stay this series' until it returns (see the finalizer)
        return dropped;
    }

    private int DropBeforeCore(long minTimestampMs)
    {
        if (_count == 0 || minTimestampMs <= _liveTimestamp) return 0;
        if (minTimestampMs > _headLast)
        {
            var all = _count;
            Clear();
            return all;
        }

        var dropped = 0;
        while (_chunkCount > 0 && _chunks![_firstChunk].Last < minTimestampMs)
        {
            dropped += _chunks[_firstChunk].Count - _hidden;
            _chunks[_firstChunk].Free();
            _chunks[_firstChunk] = default;
            _chunkCount--;
            _firstChunk = _chunkCount == 0 ? 0 : _firstChunk + 1;
            _hidden = 0;
            _liveBitPosition = 0;
            _liveDelta = 0;
            _liveTimestamp = _chunkCount > 0 ? _chunks[_firstChunk].First : _headFirst;
        }

        if (_liveTimestamp < minTimestampMs)
        {
            var reader = new BitReader(OldestTimes(), _liveBitPosition);
            while (_liveTimestamp < minTimestampMs)
            {
                TimestampCodec.Read(ref reader, ref _liveTimestamp, ref _liveDelta);
                _hidden++;
                dropped++;
            }
            _liveBitPosition = reader.Position;
        }
        _count -= dropped;
        return dropped;
    }

    /// <summary>
    /// Appends to <paramref name="timestamps"/> and <paramref name="values"/> (row-major,
    /// <see cref="FieldCount"/> per sample) every sample with from &lt;= t &lt;= to, oldest first.
    /// With <paramref name="includePrevious"/>, the newest sample before <paramref name="fromMs"/>
    /// comes first (a window's first rate may use it). Returns the number of samples written.
    /// </summary>
    /// <remarks>Decodes only the chunks that overlap the window (and the one before it for the
    /// previous sample); allocates nothing when the lists have room.</remarks>
    public int Read(long fromMs, long toMs, bool includePrevious, List<long> timestamps, List<double> values) =>
        Read(fromMs, toMs, includePrevious, timestamps, values, RowView.First(FieldCount));

    /// <summary>As <see cref="Read(long, long, bool, List{long}, List{double})"/>, of the rows and columns <paramref name="view"/> shows.</summary>
    internal int Read(long fromMs, long toMs, bool includePrevious, List<long> timestamps, List<double> values, in RowView view)
    {
        ArgumentNullException.ThrowIfNull(timestamps);
        ArgumentNullException.ThrowIfNull(values);
        if (view.FirstColumn < 0 || view.ColumnCount < 0 || view.FirstColumn + view.ColumnCount > FieldCount || view.PresenceColumn >= FieldCount)
        {
            throw new ArgumentOutOfRangeException(nameof(view), $"A view of columns a series of {FieldCount} does not have.");
        }
        var written = ReadCore(fromMs, toMs, includePrevious, timestamps, values, view);
        GC.KeepAlive(this); // the native streams it decoded stay this series' until it returns (see the finalizer)
        return written;
    }

    private int ReadCore(long fromMs, long toMs, bool includePrevious, List<long> timestamps, List<double> values, in RowView view)
    {
        if (_count == 0) return 0;

        // The sample before the window is the newest one older than fromMs; the window starts in
        // the first chunk whose newest sample is not older than fromMs.
        var segments = _chunkCount + 1;
        var first = 0;
        while (first < segments && LastOf(first) < fromMs) first++;

        var fieldCount = FieldCount;
        Span<ColumnState> states = fieldCount <= MaxStackColumns ? stackalloc ColumnState[fieldCount] : new ColumnState[fieldCount];
        Span<double> row = fieldCount <= MaxStackColumns ? stackalloc double[fieldCount] : new double[fieldCount];
        Span<double> previousRow = fieldCount <= MaxStackColumns ? stackalloc double[fieldCount] : new double[fieldCount];
        var firstPartOnly = InFirstPart(view);
        var previousTimestamp = 0L;
        var hasPrevious = false;
        // Whether the segments before the first have been searched for the row before the window.
        var searched = !includePrevious || first == 0;
        if (!searched && (first == segments || FirstLiveOf(first) >= fromMs))
        {
            hasPrevious = NewestShownBefore(first, view, states, row, previousRow, out previousTimestamp);
            searched = true;
        }

        var written = 0;
        var past = false;
        for (var s = first; s < segments && !past; s++)
        {
            var decoder = new ChunkDecoder(Segment(s), states, row, _references, split: _split, firstPartOnly: firstPartOnly);
            var skip = s == 0 ? _hidden : 0;
            while (NextVisible(ref decoder, ref skip))
            {
                var t = decoder.Timestamp;
                if (t < fromMs)
                {
                    if (includePrevious && view.Shows(t, row))
                    {
                        previousTimestamp = t;
                        row.CopyTo(previousRow);
                        hasPrevious = true;
                    }
                    continue;
                }
                if (t > toMs)
                {
                    past = true;
                    break;
                }
                if (!view.Shows(t, row)) continue;
                if (!hasPrevious && !searched) hasPrevious = SearchEarlier(first, view, previousRow, out previousTimestamp);
                searched = true;
                if (hasPrevious)
                {
                    written += Emit(previousTimestamp, view.Of(previousRow), toMs, timestamps, values);
                    hasPrevious = false;
                }
                written += Emit(t, view.Of(row), toMs, timestamps, values);
            }
        }
        if (!hasPrevious && !searched) hasPrevious = SearchEarlier(first, view, previousRow, out previousTimestamp);
        if (hasPrevious) written += Emit(previousTimestamp, view.Of(previousRow), toMs, timestamps, values);
        return written;
    }

    /// <summary>Whether a view's columns (and presence) are all in the rows' first part, so that a read decodes only its stream.</summary>
    private bool InFirstPart(in RowView view) =>
        InTwoParts && view.FirstColumn + view.ColumnCount <= _split && view.PresenceColumn < _split;

    /// <summary>Moves to the next row that retention has not hidden (<paramref name="skip"/>: rows still to pass over).</summary>
    private static bool NextVisible(ref ChunkDecoder decoder, ref int skip)
    {
        while (decoder.MoveNext())
        {
            if (skip == 0) return true;
            skip--;
        }
        return false;
    }

    /// <summary>
    /// The row before a window whose first segment has rows before it that the view does not show
    /// (a container missing from its pod's rows for a while): searched in the segments before,
    /// with buffers of its own, as the window's decoder is still using the others.
    /// </summary>
    private bool SearchEarlier(int segment, in RowView view, Span<double> found, out long timestamp)
    {
        timestamp = 0;
        if (view.EveryRow) return false; // every row is shown: the window's segment had none before it
        return NewestShownBefore(segment, view, new ColumnState[FieldCount], new double[FieldCount], found, out timestamp);
    }

    /// <summary>
    /// The newest row <paramref name="view"/> shows in the segments before <paramref name="segment"/>
    /// (which all end before the window), into <paramref name="found"/>. Most views show every row,
    /// and then only the segment just before is decoded (nothing, when it is the head: its newest
    /// row is in the column states).
    /// </summary>
    private bool NewestShownBefore(int segment, in RowView view, Span<ColumnState> states, Span<double> row, Span<double> found, out long timestamp)
    {
        timestamp = 0;
        if (segment == _chunkCount + 1)
        {
            CopyNewest(found);
            if (view.Shows(_headLast, found))
            {
                timestamp = _headLast;
                return true;
            }
        }
        var firstPartOnly = InFirstPart(view);
        for (var s = segment - 1; s >= 0; s--)
        {
            // Rows before the view's start are never shown.
            if (LastOf(s) < view.SinceMs) return false;
            var shown = false;
            var decoder = new ChunkDecoder(Segment(s), states, row, _references, split: _split, firstPartOnly: firstPartOnly);
            var skip = s == 0 ? _hidden : 0;
            while (NextVisible(ref decoder, ref skip))
            {
                if (!view.Shows(decoder.Timestamp, row)) continue;
                timestamp = decoder.Timestamp;
                row.CopyTo(found);
                shown = true;
            }
            if (shown) return true;
        }
        return false;
    }

    /// <summary>
    /// Copies the newest samples, at most two and at most <paramref name="timestamps"/>.Length,
    /// oldest first, without decoding anything (the "now" and rate views of every pod use this).
    /// <paramref name="values"/> gets <see cref="FieldCount"/> values per sample. Returns how many.
    /// </summary>
    public int CopyLatest(Span<long> timestamps, Span<double> values)
    {
        var n = Math.Min(Math.Min(timestamps.Length, 2), _count);
        if (values.Length < n * FieldCount) throw new ArgumentException($"Needs room for {n * FieldCount} values.", nameof(values));
        if (n == 0) return 0;
        if (n == 2)
        {
            timestamps[0] = _previousTimestamp;
            timestamps[1] = _headLast;
            var newest = values.Slice(FieldCount, FieldCount);
            CopyNewest(newest);
            _previous.CopyTo(values[..FieldCount], newest);
        }
        else
        {
            timestamps[0] = _headLast;
            CopyNewest(values[..FieldCount]);
        }
        return n;
    }

    /// <summary>
    /// As <see cref="CopyLatest(Span{long}, Span{double})"/>, of the rows and columns
    /// <paramref name="view"/> shows (<see cref="RowView.ColumnCount"/> values a sample). Decodes
    /// nothing when the view shows the two newest rows; else reads back to the newest it shows.
    /// </summary>
    internal int CopyLatest(Span<long> timestamps, Span<double> values, in RowView view)
    {
        Span<long> newestTimes = stackalloc long[2];
        Span<double> newestRows = FieldCount <= MaxStackColumns ? stackalloc double[2 * FieldCount] : new double[2 * FieldCount];
        var n = CopyLatest(newestTimes, newestRows);
        return CopyLatest(timestamps, values, view, newestTimes[..n], newestRows[..(n * FieldCount)]);
    }

    /// <summary>
    /// As <see cref="CopyLatest(Span{long}, Span{double}, in RowView)"/>, from the newest rows whole
    /// as <see cref="CopyLatest(Span{long}, Span{double})"/> gave them: a pod's latest view copies
    /// them once for itself and each of its containers.
    /// </summary>
    internal int CopyLatest(Span<long> timestamps, Span<double> values, in RowView view, ReadOnlySpan<long> newestTimes, ReadOnlySpan<double> newestRows)
    {
        var wanted = Math.Min(Math.Min(timestamps.Length, 2), _count);
        if (values.Length < wanted * view.ColumnCount) throw new ArgumentException($"Needs room for {wanted * view.ColumnCount} values.", nameof(values));
        if (wanted == 0) return 0;
        var n = Math.Min(wanted, newestTimes.Length);
        var shown = 0;
        for (var i = newestTimes.Length - n; i < newestTimes.Length; i++) shown += view.Shows(newestTimes[i], newestRows.Slice(i * FieldCount, FieldCount)) ? 1 : 0;
        if (shown == n && n == wanted)
        {
            for (var i = 0; i < n; i++)
            {
                var source = newestTimes.Length - n + i;
                timestamps[i] = newestTimes[source];
                view.Of(newestRows.Slice(source * FieldCount, FieldCount)).CopyTo(values.Slice(i * view.ColumnCount, view.ColumnCount));
            }
            return n;
        }
        // A container missing from one of the newest rows: its newest row, then it and the one before.
        var times = new List<long>(2);
        var rows = new List<double>(2 * view.ColumnCount);
        if (Read(long.MaxValue, long.MaxValue, includePrevious: true, times, rows, view) == 0) return 0;
        if (wanted == 2)
        {
            var newest = times[0];
            times.Clear();
            rows.Clear();
            Read(newest, newest, includePrevious: true, times, rows, view);
        }
        times.CopyTo(timestamps);
        rows.CopyTo(values);
        return times.Count;
    }

    /// <summary>
    /// What a checkpoint keeps of this series: the closed chunks and the open head as they are
    /// (copies of its written bytes, no decoding), and the oldest visible timestamp (rows before it are hidden).
    /// </summary>
    /// <param name="archive">When given, every closed chunk it does not hold yet is stored there
    /// first, and keeps its place: the next checkpoint names it without writing it again.</param>
    internal SeriesImage Image(IChunkArchive? archive = null)
    {
        if (_count == 0) return SeriesImage.Empty;
        var chunks = new ClosedChunk[_chunkCount];
        for (var i = 0; i < _chunkCount; i++)
        {
            ref var chunk = ref _chunks![_firstChunk + i];
            if (archive is not null) chunk.StoredAt = archive.Place(chunk.Bytes, chunk.StoredAt);
            // Named by its place, a chunk's bytes stay here; without an archive the image takes a copy.
            chunks[i] = archive is not null
                ? ClosedChunk.Named(chunk.StoredAt, chunk.Length, chunk.First, chunk.Last, chunk.Count, chunk.TimesLength)
                : new ClosedChunk(chunk.Bytes.ToArray(), chunk.First, chunk.Last, chunk.Count, chunk.TimesLength, chunk.StoredAt);
        }
        var times = _head.Written(Times);
        var data = new byte[times.Length + HeadValues()];
        times.CopyTo(data);
        HeadValues(data.AsSpan(times.Length));
        GC.KeepAlive(this);
        return new SeriesImage(chunks, new ClosedChunk(data, _headFirst, _headLast, _headCount, times.Length), _liveTimestamp);
    }

    /// <summary>
    /// Fills an empty series from an <see cref="Image"/>: its chunks are taken as they are, and the
    /// head decoded once for what its encoder remembers (column states, newest rows, where its
    /// streams end), so the series reads, and goes on, as the one imaged.
    /// </summary>
    internal void Restore(SeriesImage image)
    {
        if (_count != 0) throw new InvalidOperationException("Only an empty series can be restored.");
        if (image.IsEmpty)
        {
            if (image.Chunks.Count != 0) throw new InvalidDataException("A series image has closed chunks but no head rows.");
            return;
        }
        try
        {
            RestoreChunks(image);
            if (image.DecodedHead is { } rows) AppendRows(rows);
            else RestoreHead(image.Head);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException)
        {
            // A stream that ends before its rows do: the frame's checksum held, so the image was written so.
            throw new InvalidDataException($"A series image does not decode: {e.Message}", e);
        }
        DropBefore(image.OldestVisibleMs);
    }

    private void RestoreChunks(SeriesImage image)
    {
        var (headRows, headFirst) = image.DecodedHead is { } rows ? (rows.Timestamps.Length, rows.Timestamps[0]) : (image.Head.Count, image.Head.First);
        StartEmpty(image.Chunks.Count > 0 ? image.Chunks[0].First : headFirst);
        if (image.Chunks.Count == 0) return; // still in its first chunk: it closes at this series' own length
        // Past its first chunk, a series goes on with full chunks, as the one imaged did.
        _headRows = SamplesPerChunk;
        foreach (var chunk in image.Chunks)
        {
            if (_chunkCount > 0 && chunk.First <= _headLast) throw new InvalidDataException("A series image's chunks are not in time order.");
            if (chunk.Data.Length != chunk.Length) throw new InvalidDataException("A series image names a chunk without its bytes.");
            PushChunk(HeldChunk.CopyOf(chunk.Times, chunk.Values, chunk.First, chunk.Last, chunk.Count, chunk.StoredAt));
            _count += chunk.Count;
            _headLast = chunk.Last;
        }
        // The newest closed row is the "previous" of the first head row (CopyLatest, rates): needed
        // only when the head holds one row, as the head's own rows are the newest two otherwise.
        if (headRows > 1) return;
        Span<ColumnState> states = FieldCount <= MaxStackColumns ? stackalloc ColumnState[FieldCount] : new ColumnState[FieldCount];
        Span<double> row = FieldCount <= MaxStackColumns ? stackalloc double[FieldCount] : new double[FieldCount];
        var decoder = new ChunkDecoder(Segment(_chunkCount - 1), states, row, _references, split: _split);
        while (decoder.MoveNext()) { }
        if (decoder.Timestamp != _headLast) throw new InvalidDataException("A closed chunk's newest row does not have its recorded timestamp.");
        _previous.KeepWhole(row);
    }

    /// <summary>A version 1 image: the head's rows appended again.</summary>
    private void AppendRows(HeadRows rows)
    {
        if (rows.Values.Length != rows.Timestamps.Length * FieldCount)
        {
            throw new InvalidDataException($"A series image has {rows.Values.Length} head values for {rows.Timestamps.Length} rows of {FieldCount}.");
        }
        for (var i = 0; i < rows.Timestamps.Length; i++)
        {
            if (Append(rows.Timestamps[i], rows.Values.AsSpan(i * FieldCount, FieldCount)) != AppendResult.Stored)
            {
                throw new InvalidDataException("A series image's head rows are not in time order.");
            }
        }
    }

    private void RestoreHead(ClosedChunk head)
    {
        if (head.Count > SamplesPerChunk) throw new InvalidDataException($"A head chunk holds {head.Count} rows; chunks here hold {SamplesPerChunk}.");
        if (_chunkCount > 0 && head.First <= _headLast) throw new InvalidDataException("A series image's head is older than its chunks.");
        if (head.Last - head.First > HeldChunk.MaxSpanMs) throw new InvalidDataException($"A head chunk spans more than a chunk may ({HeldChunk.MaxSpanMs} ms).");
        // The encoder's column states are the decoder's after the last row: both follow the same rules.
        Span<ColumnState> states = FieldCount <= MaxStackColumns ? stackalloc ColumnState[FieldCount] : new ColumnState[FieldCount];
        Span<double> row = FieldCount <= MaxStackColumns ? stackalloc double[FieldCount] : new double[FieldCount];
        Span<double> previous = FieldCount <= MaxStackColumns ? stackalloc double[FieldCount] : new double[FieldCount];
        var view = InTwoParts ? head.View.Parted() : head.View;
        var decoder = new ChunkDecoder(view, states, row, _references, split: _split);
        var newest = _headLast;
        var rows = 0;
        while (decoder.MoveNext())
        {
            if (rows > 0 && decoder.Timestamp <= newest) throw new InvalidDataException("A head chunk's rows are not in time order.");
            // The row before the newest (with one row, RestoreChunks set it from the closed chunks).
            if (rows == head.Count - 2) row.CopyTo(previous);
            _previousTimestamp = newest;
            newest = decoder.Timestamp;
            rows++;
        }
        if (decoder.Timestamp != head.Last) throw new InvalidDataException("A head chunk's newest row does not have its recorded timestamp.");
        for (var f = 0; f < FieldCount; f++)
        {
            if (!PackedColumnState.CanHold(states[f])) throw new InvalidDataException("A head chunk's value stream leaves a column in a state no encoder makes.");
            Keep(f, states[f], row[f]);
        }
        if (head.Count == 1) _previous.CopyTo(previous, row); // kept whole by RestoreChunks, or none: a series of one row
        _previous.Keep(previous, row);
        _head.Free();
        _head = InTwoParts
            ? HeadStreams.Resume(view.Times, decoder.TimesBitsRead, view.Values, decoder.ValuesBitsRead, view.SecondValues, decoder.SecondValuesBitsRead)
            : HeadStreams.Resume(view.Times, decoder.TimesBitsRead, view.Values, decoder.ValuesBitsRead);
        _headFirst = head.First;
        _headLast = head.Last;
        _headLastDelta = decoder.TimestampDelta;
        _headCount = head.Count;
        _count += head.Count;
    }

    private static int Emit(long timestamp, ReadOnlySpan<double> row, long toMs, List<long> timestamps, List<double> values)
    {
        if (timestamp > toMs) return 0;
        timestamps.Add(timestamp);
        foreach (var value in row) values.Add(value);
        return 1;
    }

    private void StartEmpty(long timestampMs)
    {
        // Buffers are made on the first sample, so an entity that never gets data costs only this object.
        _columns ??= new PackedColumnState[FieldCount];
        _columns.AsSpan().Fill(PackedColumnState.Start);
        if (_head.Capacity == 0) _head = NewHead();
        _headCount = 0;
        _hidden = 0;
        _liveBitPosition = 0;
        _liveDelta = 0;
        _liveTimestamp = timestampMs;
        _previousTimestamp = timestampMs;
    }

    private void CloseHead()
    {
        if (InTwoParts)
        {
            var length = HeadValues();
            var joined = length <= 4096 ? stackalloc byte[length] : new byte[length];
            HeadValues(joined);
            PushChunk(HeldChunk.CopyOf(_head.Written(Times), joined, _headFirst, _headLast, _headCount));
        }
        else
        {
            PushChunk(HeldChunk.CopyOf(_head.Written(Times), _head.Written(Values), _headFirst, _headLast, _headCount));
        }

        _head.Free();
        _head = NewHead();
        _columns.AsSpan().Fill(PackedColumnState.Start);
        _headCount = 0;
        _headRows = SamplesPerChunk;
    }

    /// <summary>An empty head's streams, with room for about a row (the first row's values are coded whole).</summary>
    private HeadStreams NewHead() => InTwoParts
        ? HeadStreams.Allocate(8, 8 * _split, 8 * (FieldCount - _split))
        : HeadStreams.Allocate(8, 8 * _split);

    /// <summary>
    /// The head's value bytes as a closed chunk holds them (its stream, or both parts': <see cref="ChunkView.Parted"/>):
    /// their length, and written into <paramref name="into"/> when it is given.
    /// </summary>
    private int HeadValues(Span<byte> into = default)
    {
        if (InTwoParts) return ChunkView.JoinParts(_head.Written(Values), _head.Written(SecondValues), into);
        if (!into.IsEmpty) _head.Written(Values).CopyTo(into);
        return _head.ByteCount(Values);
    }

    private void PushChunk(HeldChunk chunk)
    {
        _chunks ??= new HeldChunk[2];
        if (_firstChunk + _chunkCount == _chunks.Length)
        {
            if (_firstChunk > 0)
            {
                Array.Copy(_chunks, _firstChunk, _chunks, 0, _chunkCount);
                Array.Clear(_chunks, _chunkCount, _firstChunk);
                _firstChunk = 0;
            }
            else
            {
                // One entry more, not twice as many: the table settles at the most chunks the
                // retention holds at once (at an hour, 8 and the one closing), where doubling left
                // 16 entries of 32 B for 9, 2 % of the store (docs/benchmarks.md).
                Array.Resize(ref _chunks, _chunks.Length + 1);
            }
        }
        _chunks[_firstChunk + _chunkCount] = chunk;
        _chunkCount++;
    }

    private void Clear()
    {
        // Everything expired: give the memory back (a series that stays empty is probably gone).
        FreeStreams();
        _chunks = null;
        _firstChunk = _chunkCount = 0;
        _columns = null;
        _wideDeltas = null;
        _otherNaNs = null;
        _previous = default;
        _headCount = 0;
        _hidden = 0;
        _count = 0;
    }

    /// <summary>Frees the native streams: the closed chunks and the head's buffers.</summary>
    private void FreeStreams()
    {
        for (var i = 0; i < _chunkCount; i++) _chunks![_firstChunk + i].Free();
        _head.Free();
    }

    /// <summary>Keeps column <paramref name="f"/>'s state after it took <paramref name="value"/>, which is then its newest.</summary>
    private void Keep(int f, in ColumnState state, double value)
    {
        _columns![f] = PackedColumnState.Pack(state, out var wide);
        if (wide) (_wideDeltas ??= new long[FieldCount])[f] = state.LastDelta;
        if (state.Previous == ValueCodec.PreviousOtherNaN) (_otherNaNs ??= new ulong[FieldCount])[f] = BitConverter.DoubleToUInt64Bits(value);
    }

    /// <summary>The newest row, from the column states: a number is their newest number, an absent value the canonical NaN.</summary>
    private void CopyNewest(Span<double> row)
    {
        var columns = _columns!;
        for (var f = 0; f < row.Length; f++)
        {
            ref readonly var column = ref columns[f];
            row[f] = column.Previous switch
            {
                ValueCodec.PreviousNumber => BitConverter.UInt64BitsToDouble(column.LastNumber),
                ValueCodec.PreviousAbsent => double.NaN,
                _ => BitConverter.UInt64BitsToDouble(_otherNaNs![f]),
            };
        }
    }

    // Segment s is closed chunk s (oldest first) or, for s == _chunkCount, the head.
    private long LastOf(int s) => s < _chunkCount ? _chunks![_firstChunk + s].Last : _headLast;

    private long FirstLiveOf(int s) => s == 0 ? _liveTimestamp : s < _chunkCount ? _chunks![_firstChunk + s].First : _headFirst;

    private ReadOnlySpan<byte> OldestTimes() => _chunkCount > 0 ? _chunks![_firstChunk].Times : _head.Written(Times);

    private ChunkView Segment(int s)
    {
        if (s < _chunkCount)
        {
            return InTwoParts ? _chunks![_firstChunk + s].View.Parted() : _chunks![_firstChunk + s].View;
        }
        return new ChunkView(_head.Written(Times), _head.Written(Values), _headFirst, _headCount, _head.Written(SecondValues));
    }
}

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// A full chunk as a checkpoint holds it: the timestamp stream then the value stream in one byte
/// array, with the metadata that lets readers and retention skip it without decoding. A series
/// holds its chunks as <see cref="HeldChunk"/>; this is their form outside its lock.
/// </summary>
/// <param name="storedAt">Where a data directory keeps a copy (<see cref="IChunkArchive"/>), or 0.</param>
internal readonly struct ClosedChunk(byte[] data, long first, long last, int count, int timesLength, long storedAt = 0)
{
    private readonly int _length = data.Length;

    /// <summary>The chunk's bytes; empty when it is only named by its place (<see cref="Named"/>).</summary>
    public byte[] Data { get; } = data;

    /// <summary>Bytes of the chunk, also when <see cref="Data"/> is not carried.</summary>
    public int Length => _length;

    /// <summary>Timestamp of the first sample (it is not in the stream).</summary>
    public long First { get; } = first;

    public long Last { get; } = last;

    public int Count { get; } = count;

    /// <summary>Bytes of <see cref="Data"/> that hold the timestamp stream.</summary>
    public int TimesLength { get; } = timesLength;

    /// <summary>The chunk's place in the data directory's chunk files, 0 when it has none (or no data directory is on).</summary>
    public long StoredAt { get; } = storedAt;

    public ReadOnlySpan<byte> Times => Data.AsSpan(0, TimesLength);

    public ReadOnlySpan<byte> Values => Data.AsSpan(TimesLength);

    public ChunkView View => new(Times, Values, First, Count);

    /// <summary>A chunk the chunk files hold at <paramref name="place"/>: a checkpoint names it without its bytes.</summary>
    public static ClosedChunk Named(long place, int length, long first, long last, int count, int timesLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(place);
        return new ClosedChunk([], first, last, count, timesLength, place, length);
    }

    private ClosedChunk(byte[] data, long first, long last, int count, int timesLength, long storedAt, int length)
        : this(data, first, last, count, timesLength, storedAt) => _length = length;
}

/// <summary>
/// The streams of a closed chunk or of the open head, for decoding. A series whose rows are in two
/// parts (a pod's columns, then its containers': <see cref="EntitySeries"/>'s split) has a value
/// stream for each, so that a read of the first part decodes only its own; in a chunk's bytes the
/// second follows the first, whose length in bytes comes first as a varint (<see cref="Parted"/>).
/// </summary>
internal readonly ref struct ChunkView(ReadOnlySpan<byte> times, ReadOnlySpan<byte> values, long first, int count, ReadOnlySpan<byte> secondValues = default)
{
    public ReadOnlySpan<byte> Times { get; } = times;

    /// <summary>The value stream, or of a series in two parts the first part's.</summary>
    public ReadOnlySpan<byte> Values { get; } = values;

    /// <summary>The second part's value stream (empty for a series in one part).</summary>
    public ReadOnlySpan<byte> SecondValues { get; } = secondValues;

    public long First { get; } = first;

    public int Count { get; } = count;

    /// <summary>The view of a chunk whose value bytes hold two parts: the first's length as a varint, the first, the second.</summary>
    public ChunkView Parted()
    {
        var length = Varint.Read(Values, out var read);
        if (length > (ulong)(Values.Length - read)) throw new InvalidDataException("A chunk's first value stream is longer than its bytes.");
        return new ChunkView(Times, Values.Slice(read, (int)length), First, Count, Values[(read + (int)length)..]);
    }

    /// <summary>The value bytes of a chunk in two parts (see <see cref="Parted"/>): their length, and written into <paramref name="into"/> when it is given.</summary>
    public static int JoinParts(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> into = default)
    {
        Span<byte> prefix = stackalloc byte[Varint.MaxLength];
        var n = Varint.Write(prefix, (ulong)first.Length);
        var total = n + first.Length + second.Length;
        if (into.IsEmpty) return total;
        prefix[..n].CopyTo(into);
        first.CopyTo(into[n..]);
        second.CopyTo(into[(n + first.Length)..]);
        return total;
    }
}

/// <summary>How a chunk's value stream was coded, by the format version that wrote it (<see cref="Durable.FormatHeader"/>).</summary>
internal enum ChunkCoding
{
    /// <summary>Versions 1 to 3: every column of every row, each from its own past.</summary>
    NoSteadyRows,
    /// <summary>Version 4: a steady-columns bit a row (<see cref="ValueCodec.IsSteady"/>), each column from its own past, fixed codes.</summary>
    OwnPast,
    /// <summary>Version 5 on: also columns coded from their references, and codes by context.</summary>
    Current,
}

/// <summary>
/// Decodes a chunk row by row into a caller's buffers (stack memory in <see cref="EntitySeries.Read"/>),
/// so reading allocates nothing.
/// </summary>
internal ref struct ChunkDecoder
{
    private BitReader _times;
    private BitReader _values;
    private BitReader _secondValues;
    private readonly Span<ColumnState> _states;
    private readonly Span<double> _row;
    private readonly int _count;
    private readonly int _split;
    private readonly bool _firstPartOnly;
    private readonly bool _steadyRows;
    private readonly bool _codesByContext;
    private readonly ColumnReferences? _references;
    // The moves of this row's references, each written before a later column reads it.
    private ReferenceMoves _moves;
    private int _index;
    private long _timestamp;
    private long _delta;

    /// <param name="row">Receives the values of the current row; its length is the field count.</param>
    /// <param name="references">The columns predicted from others, as the encoder had them.</param>
    /// <param name="coding">How the chunk was coded: as now, or by an older format (whose chunks had no references).</param>
    /// <param name="split">Columns of the first part of a series in two parts (<see cref="ChunkView.SecondValues"/>), or 0 for one part.</param>
    /// <param name="firstPartOnly">Decode the first part of each row only: the rest of <paramref name="row"/> is left as it is.</param>
    public ChunkDecoder(ChunkView chunk, Span<ColumnState> states, Span<double> row, ColumnReferences? references, ChunkCoding coding = ChunkCoding.Current,
        int split = 0, bool firstPartOnly = false)
    {
        if (references is not null && references.Count != row.Length) throw new ArgumentException($"References for {references.Count} columns, a row of {row.Length}.", nameof(references));
        if (references is not null && coding != ChunkCoding.Current) throw new ArgumentException("Chunks of older formats have no references.", nameof(references));
        if (split < 0 || split > row.Length) throw new ArgumentOutOfRangeException(nameof(split));
        _steadyRows = coding != ChunkCoding.NoSteadyRows;
        _codesByContext = coding == ChunkCoding.Current;
        _references = references;
        _times = new BitReader(chunk.Times);
        _values = new BitReader(chunk.Values);
        _secondValues = new BitReader(chunk.SecondValues);
        _states = states;
        _row = row;
        _count = chunk.Count;
        _split = split == 0 ? row.Length : split;
        _firstPartOnly = firstPartOnly;
        _index = -1;
        _timestamp = chunk.First;
        states.Fill(ColumnState.Start);
    }

    public readonly long Timestamp => _timestamp;

    /// <summary>The difference of the two newest timestamps (what the next one is predicted from).</summary>
    public readonly long TimestampDelta => _delta;

    /// <summary>Bits of the timestamp stream read so far.</summary>
    public readonly int TimesBitsRead => _times.Position;

    /// <summary>Bits of the value stream (of a series in two parts, the first part's) read so far.</summary>
    public readonly int ValuesBitsRead => _values.Position;

    /// <summary>Bits of the second part's value stream read so far.</summary>
    public readonly int SecondValuesBitsRead => _secondValues.Position;

    public bool MoveNext()
    {
        if (_index + 1 >= _count) return false;
        _index++;
        if (_index > 0) TimestampCodec.Read(ref _times, ref _timestamp, ref _delta);
        // The columns a reference names, or that name one, come in order; every other column is read as if there were none.
        var involved = _references is null ? default : _references.Involved;
        var next = ReadPart(ref _values, 0, _split, involved, 0);
        if (_split < _row.Length && !_firstPartOnly) ReadPart(ref _secondValues, _split, _row.Length, involved, next);
        return true;
    }

    /// <summary>Columns [<paramref name="from"/>, <paramref name="to"/>) of the row from one value stream, its steady bit first; returns the next index into <paramref name="involved"/>.</summary>
    private int ReadPart(ref BitReader values, int from, int to, ReadOnlySpan<int> involved, int next)
    {
        var skipSteady = _steadyRows && AnySteady(from, to) && !values.ReadBit();
        for (var f = from; f < to; f++)
        {
            if (next < involved.Length && involved[next] == f)
            {
                next++;
                ReadInvolved(ref values, f, skipSteady);
                continue;
            }
            _row[f] = skipSteady && ValueCodec.IsSteady(_states[f]) ? ValueCodec.Repeated(_states[f]) : ValueCodec.Read(ref values, ref _states[f], _codesByContext);
        }
        return next;
    }

    /// <summary>Column <paramref name="f"/> of a row, coded from its reference's move, or a reference whose move later columns take.</summary>
    private void ReadInvolved(ref BitReader values, int f, bool skipSteady)
    {
        ref var state = ref _states[f];
        var deltaBefore = state.LastDelta;
        var predictedFrom = _references!.PredictedFrom[f];
        if (skipSteady && ValueCodec.IsSteady(state)) _row[f] = ValueCodec.Repeated(state);
        else if (predictedFrom < 0) _row[f] = ValueCodec.Read(ref values, ref state);
        else _row[f] = ValueCodec.Read(ref values, ref state, in _moves[predictedFrom]);
        var slot = _references.Slots[f];
        if (slot >= 0) _moves[slot] = ReferenceMove.Of(deltaBefore, state);
    }

    private readonly bool AnySteady(int from, int to)
    {
        foreach (ref readonly var state in _states[from..to])
        {
            if (ValueCodec.IsSteady(state)) return true;
        }
        return false;
    }
}

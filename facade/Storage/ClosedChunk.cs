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

/// <summary>The streams of a closed chunk or of the open head, for decoding.</summary>
internal readonly ref struct ChunkView(ReadOnlySpan<byte> times, ReadOnlySpan<byte> values, long first, int count)
{
    public ReadOnlySpan<byte> Times { get; } = times;

    public ReadOnlySpan<byte> Values { get; } = values;

    public long First { get; } = first;

    public int Count { get; } = count;
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
    private readonly Span<ColumnState> _states;
    private readonly Span<double> _row;
    private readonly int _count;
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
    public ChunkDecoder(ChunkView chunk, Span<ColumnState> states, Span<double> row, ColumnReferences? references, ChunkCoding coding = ChunkCoding.Current)
    {
        if (references is not null && references.Count != row.Length) throw new ArgumentException($"References for {references.Count} columns, a row of {row.Length}.", nameof(references));
        if (references is not null && coding != ChunkCoding.Current) throw new ArgumentException("Chunks of older formats have no references.", nameof(references));
        _steadyRows = coding != ChunkCoding.NoSteadyRows;
        _codesByContext = coding == ChunkCoding.Current;
        _references = references;
        _times = new BitReader(chunk.Times);
        _values = new BitReader(chunk.Values);
        _states = states;
        _row = row;
        _count = chunk.Count;
        _index = -1;
        _timestamp = chunk.First;
        states.Fill(ColumnState.Start);
    }

    public readonly long Timestamp => _timestamp;

    /// <summary>The difference of the two newest timestamps (what the next one is predicted from).</summary>
    public readonly long TimestampDelta => _delta;

    /// <summary>Bits of the timestamp stream read so far.</summary>
    public readonly int TimesBitsRead => _times.Position;

    /// <summary>Bits of the value stream read so far.</summary>
    public readonly int ValuesBitsRead => _values.Position;

    public bool MoveNext()
    {
        if (_index + 1 >= _count) return false;
        _index++;
        if (_index > 0) TimestampCodec.Read(ref _times, ref _timestamp, ref _delta);
        var skipSteady = _steadyRows && AnySteady() && !_values.ReadBit();
        // The columns a reference names, or that name one, come in order; every other column is read as if there were none.
        var involved = _references is null ? default : _references.Involved;
        var next = 0;
        for (var f = 0; f < _row.Length; f++)
        {
            if (next < involved.Length && involved[next] == f)
            {
                next++;
                ReadInvolved(f, skipSteady);
                continue;
            }
            _row[f] = skipSteady && ValueCodec.IsSteady(_states[f]) ? ValueCodec.Repeated(_states[f]) : ValueCodec.Read(ref _values, ref _states[f], _codesByContext);
        }
        return true;
    }

    /// <summary>Column <paramref name="f"/> of a row, coded from its reference's move, or a reference whose move later columns take.</summary>
    private void ReadInvolved(int f, bool skipSteady)
    {
        ref var state = ref _states[f];
        var deltaBefore = state.LastDelta;
        var predictedFrom = _references!.PredictedFrom[f];
        if (skipSteady && ValueCodec.IsSteady(state)) _row[f] = ValueCodec.Repeated(state);
        else if (predictedFrom < 0) _row[f] = ValueCodec.Read(ref _values, ref state);
        else _row[f] = ValueCodec.Read(ref _values, ref state, in _moves[predictedFrom]);
        var slot = _references.Slots[f];
        if (slot >= 0) _moves[slot] = ReferenceMove.Of(deltaBefore, state);
    }

    private readonly bool AnySteady()
    {
        foreach (ref readonly var state in _states)
        {
            if (ValueCodec.IsSteady(state)) return true;
        }
        return false;
    }
}

using System.Runtime.InteropServices;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// A closed chunk as a series holds it: its bytes (the timestamp stream, then the value stream) in
/// a slab of <see cref="ChunkSlabs"/>, which the series frees when retention drops the chunk, and
/// the metadata that lets readers and retention skip it without decoding. 32 bytes an entry of the
/// chunk table, of which a series holds 9 at an hour's retention.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct HeldChunk
{
    // Rows and the timestamp stream's length in one int: chunks hold at most 1,000 rows, and a
    // timestamp costs at most 9 bytes.
    private const int CountBits = 11;
    private const int MaxTimesLength = (1 << (32 - CountBits)) - 1;

    /// <summary>The longest time a chunk may span, first row to last (49.7 days): kept in 32 bits.</summary>
    public const long MaxSpanMs = uint.MaxValue;

    private SlabChunk _bytes;
    private readonly int _countAndTimesLength;
    private readonly uint _span;

    private HeldChunk(SlabChunk bytes, long first, long last, int count, int timesLength, long storedAt)
    {
        _bytes = bytes;
        _countAndTimesLength = count | (timesLength << CountBits);
        First = first;
        _span = (uint)(last - first);
        StoredAt = storedAt;
    }

    /// <summary>A chunk of <paramref name="times"/> then <paramref name="values"/>, copied into a slab.</summary>
    public static HeldChunk CopyOf(ReadOnlySpan<byte> times, ReadOnlySpan<byte> values, long first, long last, int count, long storedAt = 0)
    {
        if (count is < 1 or >= 1 << CountBits) throw new InvalidDataException($"A chunk of {count} rows; at most {(1 << CountBits) - 1} are held.");
        if (times.Length > MaxTimesLength) throw new InvalidDataException($"A chunk's timestamp stream of {times.Length} bytes is longer than any chunk writes.");
        if (last - first is < 0 or > MaxSpanMs) throw new InvalidDataException($"A chunk from {first} to {last} ms spans more than a chunk may ({MaxSpanMs} ms).");
        return new HeldChunk(ChunkSlabs.CopyOf(last, times, values), first, last, count, times.Length, storedAt);
    }

    /// <summary>Timestamp of the first sample (it is not in the stream).</summary>
    public long First { get; }

    public readonly long Last => First + _span;

    /// <summary>The chunk's place in the data directory's chunk files, 0 when it has none (<see cref="IChunkArchive"/>).</summary>
    public long StoredAt { get; set; }

    public readonly int Count => _countAndTimesLength & ((1 << CountBits) - 1);

    /// <summary>Bytes of the chunk that hold the timestamp stream.</summary>
    public readonly int TimesLength => _countAndTimesLength >>> CountBits;

    public readonly int Length => _bytes.Length;

    public readonly ReadOnlySpan<byte> Bytes => ChunkSlabs.Bytes(_bytes);

    public readonly ReadOnlySpan<byte> Times => Bytes[..TimesLength];

    public readonly ReadOnlySpan<byte> Values => Bytes[TimesLength..];

    public readonly ChunkView View => new(Times, Values, First, Count);

    /// <summary>Gives the bytes back (retention dropped the chunk, or its series is gone); the entry is then empty.</summary>
    public void Free()
    {
        ChunkSlabs.Free(_bytes);
        _bytes = default;
    }
}

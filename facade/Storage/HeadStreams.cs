using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// The bit streams of an open head chunk (its timestamps and one or two value streams), end to end
/// in one native block (<see cref="NativeBytes"/>) that grows as they fill. One block a head, not
/// one a stream: at 150,000 pods each stream's block cost the allocator's header and spare room of
/// its own (docs/benchmarks.md, "Fewer bytes around the samples"). A mutable struct held in a
/// field of its owner, who frees it (<see cref="Free"/>); written through <see cref="Writer"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct HeadStreams
{
    public const int MaxStreams = 3;

    private NativeBytes _block;
    // Bits written to each stream, and where each starts in the block: a stream ends where the
    // next starts, the last at the block's end. A stream not in use has no bytes.
    private StreamInts _bits;
    private StreamInts _starts;

    [InlineArray(MaxStreams)]
    private struct StreamInts
    {
        private int _first;
    }

    /// <summary>A block with room for <paramref name="initialBytes"/> (one entry a stream, up to <see cref="MaxStreams"/>).</summary>
    public static HeadStreams Allocate(params ReadOnlySpan<int> initialBytes)
    {
        if (initialBytes.Length is 0 or > MaxStreams) throw new ArgumentOutOfRangeException(nameof(initialBytes), $"A head has 1 to {MaxStreams} streams.");
        var streams = new HeadStreams();
        var length = 0;
        for (var s = 0; s < MaxStreams; s++)
        {
            streams._starts[s] = length;
            if (s < initialBytes.Length) length += Math.Max(initialBytes[s], 1);
        }
        streams._block = NativeBytes.Allocate(length);
        return streams;
    }

    /// <summary>
    /// Goes on after the given bits of each stream (a head chunk loaded from a checkpoint), the
    /// streams copied end to end into one block of their size. Bits are ORed in, so each stream
    /// must end with its bytes and hold nothing past its last bit.
    /// </summary>
    public static HeadStreams Resume(ReadOnlySpan<byte> first, int firstBits, ReadOnlySpan<byte> second, int secondBits, ReadOnlySpan<byte> third = default, int thirdBits = 0)
    {
        CheckEnds(first, firstBits);
        CheckEnds(second, secondBits);
        CheckEnds(third, thirdBits);
        var streams = new HeadStreams();
        streams._block = NativeBytes.CopyOf(first, second, third);
        streams._starts[1] = first.Length;
        streams._starts[2] = first.Length + second.Length;
        streams._bits[0] = firstBits;
        streams._bits[1] = secondBits;
        streams._bits[2] = thirdBits;
        return streams;
    }

    /// <summary>Bytes of the block, every stream's spare room included.</summary>
    public readonly int Capacity => _block.Length;

    public readonly int BitCount(int stream) => _bits[stream];

    /// <summary>Bytes written to <paramref name="stream"/> so far (the last one possibly partly filled).</summary>
    public readonly int ByteCount(int stream) => (_bits[stream] + 7) >> 3;

    /// <summary>Bytes written to every stream.</summary>
    public readonly int WrittenBytes => ByteCount(0) + ByteCount(1) + ByteCount(2);

    public readonly ReadOnlySpan<byte> Written(int stream) => _block.Span.Slice(_starts[stream], ByteCount(stream));

    /// <summary>Appends to <paramref name="stream"/> through a reference to this struct, so that writers of several streams see each other's growth.</summary>
    [UnscopedRef]
    public BitWriter Writer(int stream) => new(ref this, stream);

    /// <summary>Writes the low <paramref name="count"/> bits of <paramref name="value"/> (0 to 64) to <paramref name="stream"/>.</summary>
    public void WriteBits(int stream, ulong value, int count)
    {
        if (count == 0) return;
        var bitCount = _bits[stream];
        var start = _starts[stream];
        if ((bitCount + count + 7) >> 3 > End(stream) - start)
        {
            Grow(stream, (bitCount + count + 7) >> 3);
            start = _starts[stream];
        }
        if (count < 64) value &= (1UL << count) - 1;
        var buffer = _block.Span[start..];
        while (count > 0)
        {
            var free = 8 - (bitCount & 7);
            var take = Math.Min(free, count);
            var chunk = (byte)((value >> (count - take)) & ((1u << take) - 1));
            buffer[bitCount >> 3] |= (byte)(chunk << (free - take));
            bitCount += take;
            count -= take;
        }
        _bits[stream] = bitCount;
    }

    public void WriteBit(int stream, bool bit)
    {
        var bitCount = _bits[stream];
        if ((bitCount >> 3) >= End(stream) - _starts[stream]) Grow(stream, (bitCount >> 3) + 1);
        if (bit) _block.Span[_starts[stream] + (bitCount >> 3)] |= (byte)(0x80 >> (bitCount & 7));
        _bits[stream] = bitCount + 1;
    }

    /// <summary>Gives the block back; every stream is then empty, with no room.</summary>
    public void Free()
    {
        _block.Free();
        this = default;
    }

    private readonly int End(int stream) => stream == MaxStreams - 1 ? _block.Length : _starts[stream + 1];

    /// <summary>
    /// A new block, larger by a quarter (and at least what <paramref name="stream"/> needs), its
    /// spare room shared among the streams as they have written: they grow together, row by row.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int stream, int needed)
    {
        Span<int> wanted = stackalloc int[MaxStreams];
        var total = 0;
        for (var s = 0; s < MaxStreams; s++)
        {
            wanted[s] = s == stream ? needed : ByteCount(s);
            total += wanted[s];
        }
        var length = Math.Max(total, _block.Length + _block.Length / 4 + 16);
        var spare = length - total;
        var grown = NativeBytes.Allocate(length);
        var start = 0;
        for (var s = 0; s < MaxStreams; s++)
        {
            Written(s).CopyTo(grown.Span[start..]);
            _starts[s] = start;
            start += wanted[s] + (int)((long)spare * wanted[s] / total);
        }
        _block.Free();
        _block = grown;
    }

    private static void CheckEnds(ReadOnlySpan<byte> written, int bitCount)
    {
        if (bitCount < 0 || (bitCount + 7) >> 3 != written.Length)
        {
            throw new InvalidDataException($"A head stream of {written.Length} bytes does not end where its {bitCount} bits do.");
        }
        var used = bitCount & 7;
        if (used != 0 && (written[^1] & (0xFF >> used)) != 0) throw new InvalidDataException("A head stream has bits set past its end.");
    }
}

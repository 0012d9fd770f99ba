namespace KubeMonitor.Facade.Storage;

/// <summary>
/// An append-only bit stream, most significant bit first (the order Prometheus' bstream uses),
/// over a native buffer (<see cref="NativeBytes"/>) it grows as needed. A mutable struct held in a
/// field of its owner, so an open chunk costs one buffer and an int, not an extra object. Its
/// owner frees it (<see cref="Free"/>).
/// </summary>
internal struct BitWriter
{
    private NativeBytes _buffer;
    private int _bitCount;

    public BitWriter(int initialBytes) => _buffer = NativeBytes.Allocate(Math.Max(initialBytes, 1));

    public readonly int BitCount => _bitCount;

    /// <summary>Bytes written so far (the last one possibly partly filled).</summary>
    public readonly int ByteCount => (_bitCount + 7) >> 3;

    public readonly int Capacity => _buffer.Length;

    public readonly ReadOnlySpan<byte> Written => _buffer.Span[..ByteCount];

    public void WriteBit(bool bit)
    {
        EnsureCapacity(1);
        if (bit) _buffer.Span[_bitCount >> 3] |= (byte)(0x80 >> (_bitCount & 7));
        _bitCount++;
    }

    /// <summary>Writes the low <paramref name="count"/> bits of <paramref name="value"/> (0 to 64).</summary>
    public void WriteBits(ulong value, int count)
    {
        if (count == 0) return;
        EnsureCapacity(count);
        if (count < 64) value &= (1UL << count) - 1;
        var buffer = _buffer.Span;
        while (count > 0)
        {
            var free = 8 - (_bitCount & 7);
            var take = Math.Min(free, count);
            var chunk = (byte)((value >> (count - take)) & ((1u << take) - 1));
            buffer[_bitCount >> 3] |= (byte)(chunk << (free - take));
            _bitCount += take;
            count -= take;
        }
    }

    /// <summary>
    /// Goes on after the first <paramref name="bitCount"/> bits of <paramref name="written"/> (a head
    /// chunk loaded from a checkpoint), copied into the writer's buffer. Bits are ORed in, so the
    /// stream must end with its bytes and hold nothing past its last bit.
    /// </summary>
    public static BitWriter Resume(ReadOnlySpan<byte> written, int bitCount)
    {
        if (bitCount < 0 || (bitCount + 7) >> 3 != written.Length)
        {
            throw new InvalidDataException($"A head stream of {written.Length} bytes does not end where its {bitCount} bits do.");
        }
        var used = bitCount & 7;
        if (used != 0 && (written[^1] & (0xFF >> used)) != 0) throw new InvalidDataException("A head stream has bits set past its end.");
        return new BitWriter { _buffer = written.Length == 0 ? NativeBytes.Allocate(8) : NativeBytes.CopyOf(written), _bitCount = bitCount };
    }

    /// <summary>Starts over with a small buffer: the head grows as it fills, so that a mostly
    /// empty head does not hold a full chunk's worth of memory in each of 100,000s of series.</summary>
    public void Reset(int initialBytes)
    {
        _buffer.Free();
        _buffer = NativeBytes.Allocate(Math.Max(initialBytes, 1));
        _bitCount = 0;
    }

    /// <summary>Gives the buffer back; the writer is then empty, with no capacity.</summary>
    public void Free()
    {
        _buffer.Free();
        _bitCount = 0;
    }

    private void EnsureCapacity(int moreBits)
    {
        var needed = (_bitCount + moreBits + 7) >> 3;
        if (needed <= _buffer.Length) return;
        // Grow by a quarter: doubling would leave up to half of every open chunk unused; the
        // allocator often grows the block in place, or reuses another head's freed one.
        _buffer.Resize(Math.Max(needed, _buffer.Length + _buffer.Length / 4 + 16));
    }
}

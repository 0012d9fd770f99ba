using System.Buffers.Binary;

namespace KubeMonitor.Facade.Storage;

/// <summary>Reads a stream written by <see cref="BitWriter"/>, most significant bit first.</summary>
internal ref struct BitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public BitReader(ReadOnlySpan<byte> data, int bitPosition = 0)
    {
        _data = data;
        _position = bitPosition;
    }

    public readonly int Position => _position;

    public bool ReadBit()
    {
        var bit = (_data[_position >> 3] & (0x80 >> (_position & 7))) != 0;
        _position++;
        return bit;
    }

    /// <summary>Reads <paramref name="count"/> bits (0 to 64) as an unsigned number.</summary>
    public ulong ReadBits(int count)
    {
        // Fast path: one unaligned 8-byte load covers up to 57 bits at any bit offset.
        var byteIndex = _position >> 3;
        if (count is > 0 and <= 57 && byteIndex + 8 <= _data.Length)
        {
            var word = BinaryPrimitives.ReadUInt64BigEndian(_data[byteIndex..]);
            _position += count;
            return (word << ((_position - count) & 7)) >> (64 - count);
        }
        ulong value = 0;
        while (count > 0)
        {
            var used = _position & 7;
            var take = Math.Min(8 - used, count);
            var bits = (uint)(_data[_position >> 3] >> (8 - used - take)) & ((1u << take) - 1);
            value = (value << take) | bits;
            _position += take;
            count -= take;
        }
        return value;
    }

    /// <summary>Counts leading one bits, up to <paramref name="max"/>, consuming them and the terminating zero (if any).</summary>
    public int ReadUnary(int max)
    {
        var ones = 0;
        while (ones < max && ReadBit()) ones++;
        return ones;
    }
}

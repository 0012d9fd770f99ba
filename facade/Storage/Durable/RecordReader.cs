using System.Buffers.Binary;
using System.Text;

namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// Reads a payload written by <see cref="RecordWriter"/>. A record whose checksum holds but whose
/// contents do not parse is a format error: <see cref="InvalidDataException"/>, never an index
/// out of range. With a <see cref="StringPool"/>, equal strings come out as one object.
/// </summary>
internal ref struct RecordReader(ReadOnlySpan<byte> data, StringPool? strings = null)
{
    private ReadOnlySpan<byte> _data = data;

    public readonly bool AtEnd => _data.IsEmpty;

    public byte Byte()
    {
        Need(1);
        var value = _data[0];
        _data = _data[1..];
        return value;
    }

    public ulong Varint()
    {
        var value = Storage.Varint.Read(_data, out var length);
        _data = _data[length..];
        return value;
    }

    public long Signed()
    {
        var zigzag = Varint();
        return (long)(zigzag >> 1) ^ -(long)(zigzag & 1);
    }

    /// <summary>A count of items that each take at least one byte: never more than what is left.</summary>
    public int Count()
    {
        var count = Varint();
        if (count > (ulong)_data.Length) throw new InvalidDataException($"A count of {count} is more than the {_data.Length} bytes left.");
        return (int)count;
    }

    public ulong Fixed64()
    {
        Need(8);
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_data);
        _data = _data[8..];
        return value;
    }

    public ReadOnlySpan<byte> Bytes()
    {
        var length = Count();
        var bytes = _data[..length];
        _data = _data[length..];
        return bytes;
    }

    public string String() => Text(Bytes());

    public string? OptionalString()
    {
        var length = Varint();
        if (length == 0) return null;
        length--;
        if (length > (ulong)_data.Length) throw new InvalidDataException($"A string of {length} bytes is longer than the {_data.Length} left.");
        var text = Text(_data[..(int)length]);
        _data = _data[(int)length..];
        return text;
    }

    public double Value()
    {
        var tag = Byte();
        return tag switch
        {
            RecordWriter.AbsentTag => double.NaN,
            RecordWriter.RawTag => BitConverter.UInt64BitsToDouble(Fixed64()),
            < Quantizer.Count => Quantizer.FromInteger(Signed(), tag),
            _ => throw new InvalidDataException($"Unknown value tag {tag}."),
        };
    }

    /// <summary>A row of values, which must be <paramref name="expected"/> long (the field table's width).</summary>
    public double[] Values(int expected)
    {
        var count = Count();
        if (count != expected) throw new InvalidDataException($"A row has {count} values where {expected} are expected.");
        var values = new double[count];
        for (var i = 0; i < values.Length; i++) values[i] = Value();
        return values;
    }

    public LabelSet? Labels()
    {
        var count = Varint();
        if (count == 0) return null;
        count--;
        if (count > (ulong)_data.Length) throw new InvalidDataException($"A label count of {count} is more than the bytes left.");
        var pairs = new KeyValuePair<string, string>[count];
        for (var i = 0; i < pairs.Length; i++) pairs[i] = new(String(), String());
        return LabelSet.Of(pairs);
    }

    private readonly string Text(ReadOnlySpan<byte> utf8) => strings is null ? Encoding.UTF8.GetString(utf8) : strings.Get(utf8);

    private readonly void Need(int bytes)
    {
        if (_data.Length < bytes) throw new InvalidDataException($"A record ends {bytes - _data.Length} bytes early.");
    }
}

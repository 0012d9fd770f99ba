using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// Builds the payload of one record: varints, strings and values in the forms
/// <see cref="RecordReader"/> reads. Reused between records (the log's writer holds one).
/// </summary>
internal sealed class RecordWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);

    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public void Clear() => _buffer.ResetWrittenCount();

    public void Byte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void Varint(ulong value) => _buffer.Advance(Storage.Varint.Write(_buffer.GetSpan(Storage.Varint.MaxLength), value));

    public void Signed(long value) => Varint((ulong)((value << 1) ^ (value >> 63)));

    public void Fixed64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        Varint((ulong)bytes.Length);
        bytes.CopyTo(_buffer.GetSpan(bytes.Length));
        _buffer.Advance(bytes.Length);
    }

    public void String(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        Varint((ulong)length);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
    }

    /// <summary>A string that may be null: its length plus one, 0 for null.</summary>
    public void OptionalString(string? value)
    {
        if (value is null)
        {
            Varint(0);
            return;
        }
        var length = Encoding.UTF8.GetByteCount(value);
        Varint((ulong)length + 1);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
    }

    /// <summary>
    /// A value as a tag and what it needs: absent (NaN) is the tag alone; a value that is an exact
    /// integer count of a <see cref="Quantizer"/> quantum (bytes in pages, CPU seconds in
    /// microseconds) is the quantum and a varint; anything else its 8 bytes. Bit-exact, and about a
    /// third of 8 bytes a value on pushed samples.
    /// </summary>
    public void Value(double value)
    {
        var bits = BitConverter.DoubleToUInt64Bits(value);
        if (bits == AbsentBits)
        {
            Byte(AbsentTag);
        }
        else if (Quantizer.TryFind(bits, bits, out var quantum, out var n, out _))
        {
            Byte(quantum);
            Signed(n);
        }
        else
        {
            Byte(RawTag);
            Fixed64(bits);
        }
    }

    public void Values(ReadOnlySpan<double> values)
    {
        Varint((ulong)values.Length);
        foreach (var value in values) Value(value);
    }

    public void Labels(LabelSet? labels)
    {
        if (labels is null)
        {
            Varint(0);
            return;
        }
        Varint((ulong)labels.Count + 1);
        foreach (var (key, value) in labels)
        {
            String(key);
            String(value);
        }
    }

    internal const byte AbsentTag = 254;
    internal const byte RawTag = 255;
    private static readonly ulong AbsentBits = BitConverter.DoubleToUInt64Bits(double.NaN);
}

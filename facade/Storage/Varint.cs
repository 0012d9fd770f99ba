namespace KubeMonitor.Facade.Storage;

/// <summary>
/// Unsigned varints (LEB128, as protobuf's): 7 bits a byte, lowest first, the high bit set on
/// every byte but the last. A checkpoint's records (<see cref="Durable.RecordWriter"/>) and the
/// length of a chunk's first value stream (<see cref="ChunkView.Parted"/>) are written so.
/// </summary>
internal static class Varint
{
    /// <summary>The most bytes a varint of 64 bits takes.</summary>
    public const int MaxLength = 10;

    /// <summary>Writes <paramref name="value"/> at the start of <paramref name="into"/> (<see cref="MaxLength"/> bytes always do); returns how many bytes it took.</summary>
    public static int Write(Span<byte> into, ulong value)
    {
        var n = 0;
        while (value >= 0x80)
        {
            into[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        into[n++] = (byte)value;
        return n;
    }

    /// <summary>The varint at the start of <paramref name="bytes"/>, and in <paramref name="length"/> how many bytes it took.</summary>
    public static ulong Read(ReadOnlySpan<byte> bytes, out int length)
    {
        ulong value = 0;
        for (var i = 0; i < MaxLength && i < bytes.Length; i++)
        {
            var b = bytes[i];
            value |= (ulong)(b & 0x7f) << (7 * i);
            if (b < 0x80)
            {
                length = i + 1;
                return value;
            }
        }
        throw new InvalidDataException(bytes.Length < MaxLength ? "A varint runs past the end of its bytes." : "A varint runs past 64 bits.");
    }
}

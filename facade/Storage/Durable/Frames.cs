using System.Buffers;
using System.Buffers.Binary;
using Snappier;

namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// How records sit in the log's segments, checkpoints and chunk files: a 9-byte header (payload length,
/// CRC-32C of kind and payload, kind) and the payload, Snappy-compressed when that is smaller
/// (as Prometheus' WAL). A record is whole or it is not there: a reader stops at the first one
/// that is cut short or whose checksum fails.
/// </summary>
internal static class Frames
{
    public const int HeaderSize = 9;

    /// <summary>Largest payload a reader accepts: a push is at most a few MB (Facade:MaxRequestBodyBytes).</summary>
    public const int MaxPayload = 256 * 1024 * 1024;

    /// <summary>The flag bit of a record whose payload is Snappy-compressed.</summary>
    public const byte Compressed = 0x80;

    /// <summary>Appends the record to <paramref name="output"/>.</summary>
    /// <param name="compress">Whether to try Snappy on it.</param>
    public static void Write(RecordKind kind, ReadOnlySpan<byte> payload, ArrayBufferWriter<byte> output, bool compress = true)
    {
        var flags = (byte)kind;
        var body = payload;
        byte[]? rented = null;
        if (compress && payload.Length > 64)
        {
            rented = ArrayPool<byte>.Shared.Rent(Snappy.GetMaxCompressedLength(payload.Length));
            var length = Snappy.Compress(payload, rented);
            if (length < payload.Length)
            {
                body = rented.AsSpan(0, length);
                flags |= Compressed;
            }
        }
        var span = output.GetSpan(HeaderSize + body.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span, body.Length);
        span[8] = flags;
        body.CopyTo(span[HeaderSize..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Crc32C.Of(span.Slice(8, 1 + body.Length)));
        output.Advance(HeaderSize + body.Length);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
    }
}

/// <summary>
/// Reads one file's records in turn into buffers it keeps: a start reads hundreds of thousands of
/// records, and an array per record made most of its garbage (and its GC time).
/// </summary>
internal sealed class FrameReader(Stream stream)
{
    private byte[] _body = new byte[64 * 1024];
    private byte[] _expanded = new byte[64 * 1024];
    private bool _compressed;
    private int _payloadLength;

    /// <summary>The payload of the record <see cref="Next"/> returned last; valid until the next call.</summary>
    public ReadOnlySpan<byte> Payload => (_compressed ? _expanded : _body).AsSpan(0, _payloadLength);

    /// <summary>
    /// Reads the next record. Returns <see cref="FrameRead.End"/> at a clean end; a problem (what is
    /// wrong, for the log) when the bytes left are not a whole, intact record.
    /// </summary>
    public FrameRead Next()
    {
        _payloadLength = 0;
        Span<byte> header = stackalloc byte[Frames.HeaderSize];
        var got = stream.ReadAtLeast(header, Frames.HeaderSize, throwOnEndOfStream: false);
        if (got == 0) return FrameRead.End;
        if (got < Frames.HeaderSize) return FrameRead.Broken($"a record header cut short after {got} of {Frames.HeaderSize} bytes");
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        var flags = header[8];
        if (length < 0 || length > Frames.MaxPayload) return FrameRead.Broken($"a record of {length} bytes, more than any record holds");
        if (length > _body.Length)
        {
            // Only a length past every record so far is checked against the file (a stat each time would cost a system call per record).
            if (stream.CanSeek && length > stream.Length - stream.Position)
            {
                return FrameRead.Broken($"a record of {length} bytes where {stream.Length - stream.Position} are left");
            }
            _body = new byte[length];
        }
        var body = _body.AsSpan(0, length);
        got = stream.ReadAtLeast(body, length, throwOnEndOfStream: false);
        if (got < length) return FrameRead.Broken($"a record cut short after {got} of {length} bytes");
        if (Crc32C.Append(flags, body) != BinaryPrimitives.ReadUInt32LittleEndian(header[4..])) return FrameRead.Broken("a record whose checksum does not match");
        var kind = (RecordKind)(flags & ~Frames.Compressed);
        _compressed = (flags & Frames.Compressed) != 0;
        if (!_compressed)
        {
            _payloadLength = length;
            return FrameRead.Record(kind, length, Frames.HeaderSize + length);
        }
        try
        {
            var size = Snappy.GetUncompressedLength(body);
            if (size > Frames.MaxPayload) return FrameRead.Broken($"a record that expands to {size} bytes");
            if (_expanded.Length < size) _expanded = new byte[size];
            _payloadLength = Snappy.Decompress(body, _expanded);
            return FrameRead.Record(kind, _payloadLength, Frames.HeaderSize + length);
        }
        catch (InvalidDataException e)
        {
            return FrameRead.Broken($"a record that does not decompress ({e.Message})");
        }
    }
}

/// <summary>The kinds of record.</summary>
internal enum RecordKind : byte
{
    /// <summary>First record of every segment and checkpoint: <see cref="FormatHeader"/>.</summary>
    Header = 1,

    /// <summary>An accepted push (<see cref="BatchCodec"/>).</summary>
    Batch = 2,

    /// <summary>A node of a checkpoint (<see cref="ImageCodec"/>).</summary>
    Node = 3,

    /// <summary>A pod and its containers, of a checkpoint.</summary>
    Pod = 4,

    /// <summary>The last record of a checkpoint: how many entities it holds, so a short one is known.</summary>
    End = 5,

    /// <summary>A closed chunk's bytes, in a chunk file (<see cref="ChunkFiles"/>).</summary>
    Chunk = 6,
}

/// <summary>One outcome of <see cref="FrameReader.Next"/>: a record (its payload's length and how many bytes it took), the end, or a broken tail.</summary>
internal readonly record struct FrameRead(RecordKind Kind, int PayloadLength, int FrameLength, string? Problem, bool IsEnd)
{
    public static readonly FrameRead End = new(default, 0, 0, null, true);

    public static FrameRead Broken(string problem) => new(default, 0, 0, problem, false);

    public static FrameRead Record(RecordKind kind, int payloadLength, int frameLength) => new(kind, payloadLength, frameLength, null, false);

    public bool IsRecord => !IsEnd && Problem is null;
}

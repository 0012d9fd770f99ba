using System.Numerics;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// Timestamps of one chunk as delta-of-delta (Gorilla, Prometheus chunkenc). The first timestamp
/// is not in the stream at all: the chunk's metadata keeps it. A collector on a fixed tick gives
/// a delta-of-delta of 0, one bit per sample; jitter of up to +-8 s costs 16 bits.
/// </summary>
internal static class TimestampCodec
{
    // Payload widths after the prefixes 0, 10, 110, 1110, 1111 (zig-zag encoded, so a width
    // of 14 holds -8192..8191): Prometheus' buckets, which fit millisecond jitter well.
    private static ReadOnlySpan<byte> Widths => [0, 14, 17, 20, 64];

    /// <summary>Appends <paramref name="timestamp"/>, the next after <paramref name="last"/>.</summary>
    public static void Write(ref BitWriter writer, long timestamp, ref long last, ref long lastDelta)
    {
        var delta = timestamp - last;
        var zigzag = ZigZag.Encode(delta - lastDelta);
        var needed = 64 - BitOperations.LeadingZeroCount(zigzag);
        var bucket = 0;
        while (Widths[bucket] < needed) bucket++;
        WritePrefix(ref writer, bucket, Widths.Length - 1);
        writer.WriteBits(zigzag, Widths[bucket]);
        last = timestamp;
        lastDelta = delta;
    }

    public static long Read(ref BitReader reader, ref long last, ref long lastDelta)
    {
        var bucket = reader.ReadUnary(Widths.Length - 1);
        var delta = lastDelta + ZigZag.Decode(reader.ReadBits(Widths[bucket]));
        last += delta;
        lastDelta = delta;
        return last;
    }

    /// <summary>A unary prefix: <paramref name="ones"/> ones, then a zero unless it is the longest code.</summary>
    internal static void WritePrefix(ref BitWriter writer, int ones, int longest)
    {
        if (ones == longest) writer.WriteBits((1UL << ones) - 1, ones);
        else writer.WriteBits(((1UL << ones) - 1) << 1, ones + 1);
    }
}

internal static class ZigZag
{
    public static ulong Encode(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static long Decode(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// Appends to one stream of a head's <see cref="HeadStreams"/>, most significant bit first (the
/// order Prometheus' bstream uses). What the codecs write through; the block it writes to grows as
/// needed.
/// </summary>
internal readonly ref struct BitWriter
{
    private readonly ref HeadStreams _streams;
    private readonly int _stream;

    public BitWriter(ref HeadStreams streams, int stream)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stream);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(stream, HeadStreams.MaxStreams);
        _streams = ref streams;
        _stream = stream;
    }

    public int BitCount => _streams.BitCount(_stream);

    public ReadOnlySpan<byte> Written => _streams.Written(_stream);

    public void WriteBit(bool bit) => _streams.WriteBit(_stream, bit);

    /// <summary>Writes the low <paramref name="count"/> bits of <paramref name="value"/> (0 to 64).</summary>
    public void WriteBits(ulong value, int count) => _streams.WriteBits(_stream, value, count);
}

using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Tests.Storage;

/// <summary>The bit-level pieces: streams, the integer quantum, and what each value code costs.</summary>
public class CodecTests
{
    [Fact]
    public void Bit_streams_round_trip_random_widths()
    {
        var random = new Random(3);
        var streams = HeadStreams.Allocate(1);
        var writer = streams.Writer(0);
        var written = new List<(ulong Value, int Width)>();
        for (var i = 0; i < 5000; i++)
        {
            var width = random.Next(0, 65);
            var value = width == 0 ? 0 : (ulong)random.NextInt64() >> (64 - width) | (width == 64 ? 1UL << 63 : 0);
            writer.WriteBits(value, width);
            written.Add((value, width));
        }
        var reader = new BitReader(writer.Written);
        foreach (var (value, width) in written) Assert.Equal(value, reader.ReadBits(width));
        Assert.Equal(writer.BitCount, reader.Position);
        streams.Free();
    }

    [Fact]
    public void Streams_in_one_block_keep_their_bits_as_the_block_grows_under_them()
    {
        var random = new Random(4);
        var streams = HeadStreams.Allocate(1, 3, 2);
        var written = new List<(ulong Value, int Width)>[HeadStreams.MaxStreams];
        for (var s = 0; s < written.Length; s++) written[s] = [];
        for (var i = 0; i < 6000; i++)
        {
            // Unevenly: the first stream seldom, so the block's spare room is shared unevenly too.
            var stream = random.Next(0, 10) switch { 0 => 0, < 6 => 1, _ => 2 };
            var width = random.Next(0, 65);
            var value = width == 0 ? 0 : (ulong)random.NextInt64() >> (64 - width) | (width == 64 ? 1UL << 63 : 0);
            streams.Writer(stream).WriteBits(value, width);
            written[stream].Add((value, width));
        }
        Assert.True(streams.Capacity >= streams.WrittenBytes);
        for (var s = 0; s < written.Length; s++)
        {
            var reader = new BitReader(streams.Written(s));
            foreach (var (value, width) in written[s]) Assert.Equal(value, reader.ReadBits(width));
            Assert.Equal(streams.BitCount(s), reader.Position);
        }
        streams.Free();
        Assert.Equal(0, streams.Capacity);
    }

    [Fact]
    public void A_bit_stream_resumed_from_its_bytes_goes_on_as_if_never_stopped()
    {
        var random = new Random(5);
        var whole = HeadStreams.Allocate(1, 1, 1);
        // Each stream of the head, written in turn: the resumed block holds all three end to end.
        var values = Enumerable.Range(0, 300).Select(_ => ((ulong)random.NextInt64(), random.Next(0, 65))).ToArray();
        for (var i = 0; i < 150; i++) whole.Writer(i % 3).WriteBits(values[i].Item1, values[i].Item2);
        var resumed = HeadStreams.Resume(whole.Written(0), whole.BitCount(0), whole.Written(1), whole.BitCount(1), whole.Written(2), whole.BitCount(2));
        for (var i = 150; i < values.Length; i++)
        {
            whole.Writer(i % 3).WriteBits(values[i].Item1, values[i].Item2);
            resumed.Writer(i % 3).WriteBits(values[i].Item1, values[i].Item2);
        }
        for (var s = 0; s < 3; s++)
        {
            Assert.Equal(whole.Written(s).ToArray(), resumed.Written(s).ToArray());
            Assert.Equal(whole.BitCount(s), resumed.BitCount(s));
        }
        whole.Free();
        resumed.Free();
        Assert.Equal(0, resumed.Capacity);
        Assert.True(resumed.Written(0).IsEmpty);
    }

    [Theory]
    [InlineData(0UL, 1)]
    [InlineData(127UL, 1)]
    [InlineData(128UL, 2)]
    [InlineData(4294967296UL, 5)]
    [InlineData(ulong.MaxValue, 10)]
    public void Varints_take_7_bits_a_byte_and_refuse_what_runs_past_their_bytes(ulong value, int length)
    {
        Span<byte> bytes = stackalloc byte[Varint.MaxLength];
        Assert.Equal(length, Varint.Write(bytes, value));
        Assert.Equal(value, Varint.Read(bytes[..length], out var read));
        Assert.Equal(length, read);
        var cut = bytes[..(length - 1)].ToArray(); // all but the last byte: every one says another follows
        Assert.Throws<InvalidDataException>(() => Varint.Read(cut, out _));
        var endless = Enumerable.Repeat((byte)0xFF, Varint.MaxLength + 1).ToArray();
        Assert.Throws<InvalidDataException>(() => Varint.Read(endless, out _));
    }

    [Theory]
    [InlineData(104857600.0, 0, 25600L)]         // whole 4 KiB pages: the 12 low zero bits are not stored
    [InlineData(4097.0, 12, 4097L)]
    [InlineData(12.345678, 18, 12345678L)]       // seconds with microseconds
    [InlineData(0.1, 13, 1L)]
    [InlineData(-3.5, 13, -35L)]
    public void Quantizer_finds_the_coarsest_exact_integer(double value, int quantum, long n)
    {
        Assert.True(Quantizer.TryFind(BitConverter.DoubleToUInt64Bits(value), 0, out var q, out var found, out _));
        Assert.Equal(quantum, q);
        Assert.Equal(n, found);
        Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(Quantizer.FromInteger(n, q)));
    }

    [Theory]
    [InlineData(-0.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.Epsilon)]
    [InlineData(1e300)]
    [InlineData(9007199254740994.0)] // 2^53 + 2: beyond exact integers
    [InlineData(0.30000000000000004)] // 0.1 + 0.2: no short decimal
    public void Quantizer_refuses_what_it_cannot_give_back_exactly(double value)
    {
        Assert.False(Quantizer.TryFind(BitConverter.DoubleToUInt64Bits(value), 0, out _, out _, out _));
    }

    [Fact]
    public void Repeats_and_absent_runs_cost_one_bit_and_steady_steps_a_few()
    {
        Assert.Equal(1, BitsFor([7.0, 7.0], sample: 1));
        Assert.Equal(1, BitsFor([double.NaN, double.NaN], sample: 1));
        Assert.Equal(1, BitsFor([double.NaN], sample: 0)); // a chunk starts as if after an absent value
        Assert.Equal(4, BitsFor([7.0, double.NaN], sample: 1));
        // Delta-of-delta 0 after a change: the code (1 bit after a change, 2 after a repeat), "same
        // width" and the width still in use (5 bits: 15 tenths, or 10 pages, zig-zagged, from the chunk's first value).
        Assert.Equal(1 + 1 + 5, BitsFor([1.5, 2.5, 3.5], sample: 2));
        Assert.Equal(1 + 1 + 5, BitsFor([4096.0 * 10, 4096.0 * 12, 4096.0 * 14], sample: 2));
        Assert.Equal(2 + 1 + 5, BitsFor([1.5, 1.5, 2.5], sample: 2));
        // A repeat after a change costs a bit more.
        Assert.Equal(2, BitsFor([1.5, 2.5, 2.5], sample: 2));
        // The chunk's first number: code, quantum, "new width", width, the value.
        Assert.Equal(4 + 5 + 1 + 6 + 5, BitsFor([4096.0 * 10], sample: 0));
        // A CPU counter in seconds: microsecond steps of about 1.25 s are 20-bit delta-of-deltas,
        // where XORing the float bits would cost about 40.
        Assert.True(BitsFor([100.000001, 101.250002, 102.512345], sample: 2) <= 2 + 3 + 20);
    }

    [Fact]
    public void Every_double_pattern_round_trips_through_one_column()
    {
        var random = new Random(11);
        for (var round = 0; round < 50; round++)
        {
            var values = Enumerable.Range(0, 200).Select(_ => SeriesData.NextValue(random, SeriesData.Kind.Mixed, 0)).ToArray();
            var streams = HeadStreams.Allocate(8);
            var writer = streams.Writer(0);
            var state = ColumnState.Start;
            foreach (var value in values) ValueCodec.Write(ref writer, ref state, value);
            var reader = new BitReader(writer.Written);
            var readState = ColumnState.Start;
            foreach (var value in values)
                Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(ValueCodec.Read(ref reader, ref readState)));
            streams.Free();
        }
    }

    /// <summary>Bits that sample number <paramref name="sample"/> of a one-column chunk costs.</summary>
    private static int BitsFor(double[] values, int sample)
    {
        var streams = HeadStreams.Allocate(8);
        var writer = streams.Writer(0);
        var state = ColumnState.Start;
        var before = 0;
        for (var i = 0; i <= sample; i++)
        {
            before = writer.BitCount;
            ValueCodec.Write(ref writer, ref state, values[i]);
        }
        var bits = writer.BitCount - before;
        streams.Free();
        return bits;
    }
}

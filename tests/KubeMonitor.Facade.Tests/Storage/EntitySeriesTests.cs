using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Tests.Storage;

/// <summary>The contract of <see cref="EntitySeries"/> case by case, around chunk boundaries in particular.</summary>
public class EntitySeriesTests
{
    private const long T0 = SeriesData.Start;
    private const long Tick = SeriesData.Tick;

    [Fact]
    public void Same_timestamp_is_a_duplicate_and_older_is_out_of_order_and_neither_is_stored()
    {
        var series = new EntitySeries(2, 4);
        Assert.Equal(AppendResult.Stored, series.Append(T0, [1, 2]));
        Assert.Equal(AppendResult.Stored, series.Append(T0 + Tick, [3, 4]));
        Assert.Equal(AppendResult.Duplicate, series.Append(T0 + Tick, [9, 9]));
        Assert.Equal(AppendResult.OutOfOrder, series.Append(T0, [9, 9]));
        Assert.Equal(AppendResult.OutOfOrder, series.Append(T0 - 1, [9, 9]));
        Assert.Equal(2, series.Count);
        Assert.Equal(T0 + Tick, series.LastTimestamp);
        var (times, values) = ReadAll(series);
        Assert.Equal([T0, T0 + Tick], times);
        Assert.Equal([1, 2, 3, 4], values);
    }

    [Fact]
    public void Wrong_value_count_is_refused()
    {
        var series = new EntitySeries(3);
        Assert.Throws<ArgumentException>(() => series.Append(T0, [1, 2]));
        Assert.Equal(0, series.Count);
        Assert.Null(series.LastTimestamp);
    }

    [Fact]
    public void DropBefore_across_chunk_boundaries_counts_and_keeps_exactly_the_newer_samples()
    {
        var series = Filled(chunk: 4, samples: 10); // chunks [0..3] [4..7], head [8, 9]
        Assert.Equal(2, series.ClosedChunkCount);

        Assert.Equal(0, series.DropBefore(T0));                 // nothing older
        Assert.Equal(1, series.DropBefore(T0 + Tick));          // inside the first chunk: hidden
        Assert.Equal(2, series.ClosedChunkCount);
        Assert.Equal(9, series.Count);
        Assert.Equal(T0 + Tick, ReadAll(series).Times[0]);

        Assert.Equal(4, series.DropBefore(T0 + 5 * Tick));      // rest of chunk 1 and one of chunk 2
        Assert.Equal(1, series.ClosedChunkCount);               // chunk 1 released
        Assert.Equal(5, series.Count);
        Assert.Equal(Enumerable.Range(5, 5).Select(i => T0 + i * Tick), ReadAll(series).Times);

        Assert.Equal(3, series.DropBefore(T0 + 8 * Tick));      // exactly on the head's first sample
        Assert.Equal(0, series.ClosedChunkCount);
        Assert.Equal([T0 + 8 * Tick, T0 + 9 * Tick], ReadAll(series).Times);
        Assert.Equal([8.0, 9.0], ReadAll(series).Values);

        Assert.Equal(2, series.DropBefore(T0 + 100 * Tick));    // everything
        Assert.Equal(0, series.Count);
        Assert.Null(series.LastTimestamp);
        Assert.Empty(ReadAll(series).Times);
    }

    [Fact]
    public void After_everything_expired_the_series_starts_over_like_a_new_one()
    {
        var series = Filled(chunk: 3, samples: 7);
        series.DropBefore(long.MaxValue);
        // The old implementation forgot everything too: an older timestamp is then just the first sample.
        Assert.Equal(AppendResult.Stored, series.Append(T0 - Tick, [-1.0]));
        Assert.Equal(AppendResult.Stored, series.Append(T0, [-2.0]));
        var (times, values) = ReadAll(series);
        Assert.Equal([T0 - Tick, T0], times);
        Assert.Equal([-1.0, -2.0], values);
    }

    [Theory]
    [InlineData(4, true, new long[] { 3, 4, 5 })]   // window starts a chunk: previous is the last row of the chunk before
    [InlineData(4, false, new long[] { 4, 5 })]
    [InlineData(3, true, new long[] { 2, 3, 4, 5 })] // previous is the last row of a chunk, the window starts the next
    [InlineData(5, true, new long[] { 4, 5 })]
    [InlineData(0, true, new long[] { 0, 1, 2, 3, 4, 5 })] // nothing before the first sample
    [InlineData(8, true, new long[] { 7, 8 })]       // previous at the end of chunk 2, window in the head
    public void Read_with_previous_at_chunk_boundaries(long fromTick, bool includePrevious, long[] expectedTicks)
    {
        var series = Filled(chunk: 4, samples: 10);
        var times = new List<long>();
        var values = new List<double>();
        var toTick = Math.Max(fromTick, 5);
        var n = series.Read(T0 + fromTick * Tick, T0 + toTick * Tick, includePrevious, times, values);
        Assert.Equal(expectedTicks.Length, n);
        Assert.Equal(expectedTicks.Select(i => T0 + i * Tick), times);
        Assert.Equal(expectedTicks.Select(i => (double)i), values);
    }

    [Fact]
    public void Read_after_all_samples_returns_only_the_previous_and_never_one_outside_the_window()
    {
        var series = Filled(chunk: 4, samples: 10);
        var times = new List<long>();
        var values = new List<double>();
        Assert.Equal(1, series.Read(T0 + 20 * Tick, T0 + 30 * Tick, includePrevious: true, times, values));
        Assert.Equal([T0 + 9 * Tick], times);
        Assert.Equal(0, series.Read(T0 + 20 * Tick, T0 + 30 * Tick, includePrevious: false, times, values));
        // A window before all samples has no previous and no sample.
        Assert.Equal(0, series.Read(T0 - 10 * Tick, T0 - 1, includePrevious: true, times, values));
        // Hidden (expired) samples are never the previous one.
        series.DropBefore(T0 + 2 * Tick);
        times.Clear();
        values.Clear();
        Assert.Equal(1, series.Read(T0 + 1, T0 + 2 * Tick, includePrevious: true, times, values));
        Assert.Equal([T0 + 2 * Tick], times);
    }

    [Fact]
    public void CopyLatest_gives_the_two_newest_rows_oldest_first()
    {
        var series = new EntitySeries(2, 2);
        Span<long> times = stackalloc long[2];
        Span<double> values = stackalloc double[4];
        Assert.Equal(0, series.CopyLatest(times, values));
        series.Append(T0, [1, double.NaN]);
        Assert.Equal(1, series.CopyLatest(times, values));
        Assert.Equal(T0, times[0]);
        series.Append(T0 + Tick, [2, -0.0]);
        series.Append(T0 + 2 * Tick, [3, 4]); // closes a chunk: the latest rows do not depend on it
        Assert.Equal(2, series.CopyLatest(times, values));
        Assert.Equal([T0 + Tick, T0 + 2 * Tick], times.ToArray());
        Assert.Equal(EntitySeriesPropertyTests.Bits([2, -0.0, 3, 4]), EntitySeriesPropertyTests.Bits(values.ToArray()));
        series.DropBefore(T0 + 2 * Tick);
        Assert.Equal(1, series.CopyLatest(times, values));
        Assert.Equal(T0 + 2 * Tick, times[0]);
    }

    [Fact]
    public void The_newest_row_comes_back_from_the_column_states_bit_for_bit()
    {
        // What the states do not hold themselves: NaNs with other payloads and deltas beyond 32 bits.
        var otherNaN = BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0001);
        var negativeNaN = BitConverter.Int64BitsToDouble(unchecked((long)0xFFF0_0000_0000_0002));
        double[][] rows =
        [
            [1, double.NaN, otherNaN],
            [1L << 40, otherNaN, otherNaN],
            [(1L << 40) + (1L << 35), -0.0, negativeNaN],
            [-(1L << 45), double.NaN, 7],
            [-(1L << 45), negativeNaN, double.NaN],
            [3, 3, 3],
            [3 + (1L << 50), double.PositiveInfinity, otherNaN],
        ];
        foreach (var chunk in new[] { 2, 3, 90 })
        {
            var series = new EntitySeries(3, chunk);
            var times = new long[2];
            var values = new double[6];
            for (var i = 0; i < rows.Length; i++)
            {
                series.Append(T0 + i * Tick, rows[i]);
                Assert.Equal(Math.Min(i + 1, 2), series.CopyLatest(times, values));
                double[] expected = i == 0 ? [.. rows[0], .. values[3..]] : [.. rows[i - 1], .. rows[i]];
                Assert.Equal(EntitySeriesPropertyTests.Bits(expected), EntitySeriesPropertyTests.Bits(values));
            }
        }
    }

    [Fact]
    public void Packed_column_states_give_back_every_state_an_encoder_makes()
    {
        var random = new Random(7);
        var wideDeltas = new long[1];
        for (var i = 0; i < 20_000; i++)
        {
            var state = new ColumnState
            {
                LastNumber = (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63),
                LastDelta = random.Next(4) switch
                {
                    0 => random.Next(),
                    1 => -random.Next(),
                    2 => int.MinValue + random.Next(2),
                    _ => random.NextInt64(long.MinValue, long.MaxValue),
                },
                Quantum = random.Next(8) == 0 ? Quantizer.None : (byte)random.Next(31),
                Leading = random.Next(8) == 0 ? ValueCodec.NoWindow : (byte)random.Next(64),
                Trailing = (byte)random.Next(64),
                Previous = (byte)random.Next(3),
                IntegerWidth = (byte)random.Next(64),
                PredictorScore = (sbyte)random.Next(-4, 4),
                ReferenceScore = (sbyte)random.Next(-4, 4),
            };
            Assert.True(PackedColumnState.CanHold(state));
            var packed = PackedColumnState.Pack(state, out var wide);
            Assert.Equal(state.LastDelta is < int.MinValue + 1 or > int.MaxValue, wide);
            if (wide) wideDeltas[0] = state.LastDelta;
            Assert.Equal(state, packed.Unpack(wideDeltas, 0));
        }
        Assert.False(PackedColumnState.CanHold(ColumnState.Start with { Trailing = 193 })); // 64 - 63 - 64, from a stream that is not well formed
        Assert.False(PackedColumnState.CanHold(ColumnState.Start with { Quantum = 31 })); // the 5-bit marker of none
        Assert.False(PackedColumnState.CanHold(ColumnState.Start with { ReferenceScore = 4 }));
    }

    [Fact]
    public void BytesHeld_grows_with_samples_and_falls_when_chunks_expire()
    {
        var series = new EntitySeries(7, 120);
        Assert.Equal(0, series.BytesHeld); // an entity without data costs only its object
        var generator = new SeriesData.RealisticPod(new Random(5));
        var row = new double[7];
        var history = new List<long>();
        for (var i = 0; i < 600; i++)
        {
            generator.Next(row);
            series.Append(T0 + i * Tick, row);
            history.Add(series.BytesHeld);
        }
        Assert.True(history[^1] > history[120] && history[120] > history[0], string.Join(",", history.Where((_, i) => i % 60 == 0)));
        Assert.True(series.BytesHeld >= series.EncodedBytes);
        // Compressed: far below the 8 + 7 x 8 bytes of a raw row.
        Assert.True(series.EncodedBytes < 600 * 64 / 2, $"{series.EncodedBytes} bytes for 600 rows");

        var before = series.BytesHeld;
        var encodedBefore = series.EncodedBytes;
        series.DropBefore(T0 + 300 * Tick); // releases the first two closed chunks (rows 0..239)
        Assert.Equal(300, series.Count);
        Assert.True(series.EncodedBytes < encodedBefore * 3 / 4, $"{series.EncodedBytes} of {encodedBefore}");
        Assert.True(series.BytesHeld < before);
        series.DropBefore(long.MaxValue);
        Assert.Equal(0, series.BytesHeld);
    }

    [Fact]
    public void A_first_chunk_of_its_own_length_is_followed_by_full_ones()
    {
        var series = new EntitySeries(2, 10, firstChunkRows: 4);
        var closedAfter = new List<int>();
        for (var i = 0; i < 30; i++)
        {
            var closed = series.ClosedChunkCount;
            series.Append(T0 + i * Tick, [i, 2 * i]);
            if (series.ClosedChunkCount > closed) closedAfter.Add(i); // the row that opened a new head
        }
        Assert.Equal([4, 14, 24], closedAfter);
        var (times, values) = ReadAll(series);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => T0 + i * Tick), times);
        Assert.Equal(Enumerable.Range(0, 30).SelectMany(i => new double[] { i, 2 * i }), values);
    }

    [Fact]
    public void A_sample_after_a_gap_longer_than_a_chunk_may_span_starts_a_new_chunk()
    {
        var series = new EntitySeries(1, 10);
        long[] times = [T0, T0 + Tick, T0 + Tick + HeldChunk.MaxSpanMs, T0 + 2 * Tick + HeldChunk.MaxSpanMs];
        foreach (var t in times) Assert.Equal(AppendResult.Stored, series.Append(t, [t % 1000]));
        Assert.Equal(1, series.ClosedChunkCount);
        Assert.Equal(times, ReadAll(series).Times);
        Assert.Equal(times.Select(t => (double)(t % 1000)), ReadAll(series).Values);
    }

    [Fact]
    public void A_chunk_table_entry_is_32_bytes()
    {
        Assert.Equal(32, System.Runtime.CompilerServices.Unsafe.SizeOf<HeldChunk>());
    }

    [Fact]
    public void Staggered_series_made_together_close_their_first_chunks_on_different_rows()
    {
        var series = Enumerable.Range(0, 46).Select(_ => EntitySeries.Staggered(1)).ToList();
        var firstClose = new int[series.Count];
        for (var i = 0; i <= EntitySeries.DefaultSamplesPerChunk; i++)
        {
            for (var s = 0; s < series.Count; s++)
            {
                series[s].Append(T0 + i * Tick, [i]);
                if (series[s].ClosedChunkCount == 1 && firstClose[s] == 0) firstClose[s] = i;
            }
        }
        // Half to all of a chunk, each length once in 46 series made in a row (others may be made between them).
        Assert.All(firstClose, rows => Assert.InRange(rows, EntitySeries.DefaultSamplesPerChunk / 2, EntitySeries.DefaultSamplesPerChunk));
        Assert.True(firstClose.Distinct().Count() > 23, string.Join(",", firstClose));
    }

    [Fact]
    public void Steady_columns_cost_one_bit_a_row_together_until_one_of_them_changes()
    {
        // A counter beside 20 columns that repeat (a request, a limit, absent sections): from the
        // third row on (the second makes them steady), one bit a row stands for all 20.
        const int Rows = 90, Steady = 20;
        var alone = new EntitySeries(1, Rows);
        var beside = new EntitySeries(1 + Steady, Rows);
        var model = new ReferenceSeries();
        var row = new double[1 + Steady];
        for (var i = 0; i < Rows; i++)
        {
            row[0] = i * 1_000 + i % 7;
            for (var f = 1; f <= Steady; f++) row[f] = f % 3 == 0 ? double.NaN : f * 0.25;
            // Once, a limit changes and comes back: those rows pay every column's code.
            if (i is 40 or 41) row[5] = i == 40 ? 9.5 : 5 * 0.25;
            alone.Append(T0 + i * Tick, row.AsSpan(0, 1));
            beside.Append(T0 + i * Tick, row);
            model.Append(T0 + i * Tick, row);
        }
        var extra = beside.EncodedBytes - alone.EncodedBytes;
        // A code per column and row (the format before) would be 20 x 88 bits = 220 bytes more.
        Assert.True(extra < 20 * 4 + (Rows + 3 * Steady) / 8, $"{extra} bytes for {Steady} steady columns over {Rows} rows");
        var times = new List<long>();
        var values = new List<double>();
        beside.Read(long.MinValue, long.MaxValue, includePrevious: false, times, values);
        var (expectedTimes, expectedValues) = model.Read(long.MinValue, long.MaxValue, includePrevious: false);
        Assert.Equal(expectedTimes, times);
        Assert.Equal(expectedValues.Select(BitConverter.DoubleToInt64Bits), values.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void A_column_coded_from_the_column_it_moves_with_takes_fewer_bytes_and_reads_back_the_same()
    {
        // Realistic pods: the working set (column 2) is the usage (column 1) less a page cache that
        // drifts by a few pages a sample, while the usage moves by thousands.
        int[] referenceOf = [-1, -1, 1, -1, -1, -1, -1];
        var random = new Random(5);
        long alone = 0, coded = 0, rows = 0;
        for (var pod = 0; pod < 20; pod++)
        {
            var generator = new SeriesData.RealisticPod(random);
            var plain = new EntitySeries(SeriesData.RealisticPod.FieldCount);
            var referenced = new EntitySeries(SeriesData.RealisticPod.FieldCount, EntitySeries.DefaultSamplesPerChunk, 0, new ColumnReferences(referenceOf));
            var model = new ReferenceSeries();
            var row = new double[SeriesData.RealisticPod.FieldCount];
            for (var i = 0; i < 400; i++)
            {
                generator.Next(row);
                plain.Append(T0 + i * Tick, row);
                referenced.Append(T0 + i * Tick, row);
                model.Append(T0 + i * Tick, row);
            }
            rows += 400;
            alone += plain.EncodedBytes;
            coded += referenced.EncodedBytes;
            EntitySeriesPropertyTests.AssertReadsAlike(model, referenced, long.MinValue, long.MaxValue, includePrevious: false, $"pod {pod}");
        }
        // The working set's delta costs about what the page cache's drift holds (41 values: 5.4
        // bits, in a code of 2 + 1 + width) instead of the usage's own swings (hundreds to thousands of pages).
        Assert.True(alone - coded > rows * 3 / 8, $"{coded} bytes with the reference, {alone} without, {rows} rows");
    }

    [Fact]
    public void A_column_is_coded_only_from_an_earlier_column_and_at_most_four_columns_are_references()
    {
        Assert.Throws<ArgumentException>(() => new ColumnReferences([-1, 2, -1]));
        Assert.Throws<ArgumentException>(() => new ColumnReferences([0, -1]));
        Assert.Throws<ArgumentException>(() => new ColumnReferences([-1, -1, -1, -1, -1, 0, 1, 2, 3, 4]));
        var references = new ColumnReferences([-1, -1, -1, -1, -1, 0, 1, 2, 3, 0, 3]);
        Assert.Equal([-1, -1, -1, -1, -1, 0, 1, 2, 3, 0, 3], references.PredictedFrom.ToArray().Select(s => (int)s));
        Assert.Equal([0, 1, 2, 3, -1, -1, -1, -1, -1, -1, -1], references.Slots.ToArray().Select(s => (int)s));
        Assert.Throws<ArgumentException>(() => new EntitySeries(3, 90, 0, references));
    }

    private static EntitySeries Filled(int chunk, int samples)
    {
        var series = new EntitySeries(1, chunk);
        for (var i = 0; i < samples; i++) Assert.Equal(AppendResult.Stored, series.Append(T0 + i * Tick, [i]));
        return series;
    }

    private static (List<long> Times, List<double> Values) ReadAll(EntitySeries series)
    {
        var times = new List<long>();
        var values = new List<double>();
        series.Read(long.MinValue, long.MaxValue, includePrevious: true, times, values);
        return (times, values);
    }
}

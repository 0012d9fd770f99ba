using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Tests.Storage;

/// <summary>
/// Random operation sequences (append, retention, reads, latest) against the uncompressed
/// <see cref="ReferenceSeries"/>: every answer must be the same, values bit for bit. Reads and
/// latest rows go through a random <see cref="RowView"/> half the time: some columns, the rows
/// where a presence column (present and absent in stretches, as a container in its pod's rows)
/// holds a number, from a start time on.
/// </summary>
public class EntitySeriesPropertyTests
{
    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 1; seed <= 40; seed++) seeds.Add(seed);
        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_operations_answer_like_the_uncompressed_model(int seed)
    {
        var random = new Random(seed);
        var fieldCount = random.Next(1, 10);
        int[] chunkSizes = [2, 3, 7, 16, 120];
        var chunkSize = chunkSizes[random.Next(chunkSizes.Length)];
        var (references, referenceOf) = SeriesData.References(random, fieldCount);
        // Rows in two parts half the time (each in a value stream of its own, as a pod's columns and its containers').
        var split = random.Next(2) == 0 ? 0 : random.Next(1, fieldCount + 1);
        var series = new EntitySeries(fieldCount, chunkSize, random.Next(chunkSize + 1), references, split); // 0: a first chunk of full length
        var model = new ReferenceSeries();
        var kinds = Enumerable.Range(0, fieldCount).Select(_ => (SeriesData.Kind)random.Next((int)SeriesData.Kind.Mixed + 1)).ToArray();
        var ways = Enumerable.Range(0, fieldCount).Select(_ => random.Next(6)).ToArray();
        var row = new double[fieldCount];
        var last = SeriesData.Start;
        // A column that is present and absent in stretches, for the views' presence.
        var presence = random.Next(fieldCount);
        var present = true;

        for (var step = 0; step < 1500; step++)
        {
            var operation = random.Next(100);
            if (operation < 80)
            {
                last = SeriesData.NextTimestamp(random, last);
                for (var f = 0; f < fieldCount; f++)
                {
                    row[f] = referenceOf[f] < 0 ? SeriesData.NextValue(random, kinds[f], row[f]) : SeriesData.Follow(random, ways[f], kinds[f], row[referenceOf[f]], row[f]);
                }
                if (random.Next(40) == 0) present = !present;
                row[presence] = present ? 1 : double.NaN;
                var expected = model.Append(last, row);
                Assert.Equal(expected, series.Append(last, row).ToString());
                if (expected != "Stored") last = model.LastTimestamp ?? last;
            }
            else if (operation < 86)
            {
                var bound = PickTime(random, model);
                Assert.Equal(model.DropBefore(bound), series.DropBefore(bound));
            }
            else
            {
                var from = PickTime(random, model);
                var to = random.Next(8) == 0 ? from - random.Next(1, 10_000) : from + random.NextInt64(0, 2_000_000);
                var includePrevious = random.Next(2) == 0;
                AssertReadsAlike(model, series, from, to, includePrevious, $"seed {seed} step {step}", PickView(random, model, presence, fieldCount));
            }
            Assert.Equal(model.Count, series.Count);
            Assert.Equal(model.LastTimestamp, series.LastTimestamp);
            AssertLatestAlike(model, series, random.Next(0, 4), PickView(random, model, presence, fieldCount));
        }
        AssertReadsAlike(model, series, long.MinValue, long.MaxValue, includePrevious: false, $"seed {seed} all");
    }

    [Fact]
    public void Extreme_timestamps_round_trip()
    {
        var series = new EntitySeries(1, 4);
        var model = new ReferenceSeries();
        long[] times = [long.MinValue, long.MinValue + 1, -1, 0, 1, 5000, long.MaxValue / 2, long.MaxValue - 1, long.MaxValue];
        foreach (var t in times)
        {
            Assert.Equal(AppendResult.Stored, series.Append(t, [t]));
            model.Append(t, [t]);
        }
        AssertReadsAlike(model, series, long.MinValue, long.MaxValue, includePrevious: true, "extremes");
        AssertReadsAlike(model, series, 2, long.MaxValue - 1, includePrevious: true, "extremes inside");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Realistic_pods_round_trip_bit_for_bit(int seed)
    {
        var random = new Random(seed);
        for (var pod = 0; pod < 20; pod++)
        {
            var generator = new SeriesData.RealisticPod(random);
            var series = new EntitySeries(SeriesData.RealisticPod.FieldCount);
            var model = new ReferenceSeries();
            var row = new double[SeriesData.RealisticPod.FieldCount];
            for (var i = 0; i < 400; i++)
            {
                generator.Next(row);
                var t = SeriesData.Start + i * SeriesData.Tick;
                series.Append(t, row);
                model.Append(t, row);
                // The facade applies a 15-minute retention after every append.
                var bound = t - 900_000;
                Assert.Equal(model.DropBefore(bound), series.DropBefore(bound));
            }
            AssertReadsAlike(model, series, long.MinValue, long.MaxValue, includePrevious: false, $"pod {pod}");
            AssertReadsAlike(model, series, SeriesData.Start + 300 * SeriesData.Tick + 1, SeriesData.Start + 360 * SeriesData.Tick, includePrevious: true, $"pod {pod} window");
        }
    }

    internal static void AssertReadsAlike(ReferenceSeries model, EntitySeries series, long from, long to, bool includePrevious, string what, RowView? view = null)
    {
        var (expectedTimes, expectedValues) = model.Read(from, to, includePrevious, view);
        var times = new List<long> { 42 }; // Read appends: what was there stays
        var values = new List<double> { 4.2 };
        var written = view is { } v ? series.Read(from, to, includePrevious, times, values, v) : series.Read(from, to, includePrevious, times, values);
        Assert.Equal(expectedTimes.Count, written);
        Assert.Equal([42, .. expectedTimes], times);
        Assert.True(
            Bits([4.2, .. expectedValues]).SequenceEqual(Bits(values)),
            $"{what}: values differ for [{from}, {to}] previous={includePrevious}");
    }

    private static void AssertLatestAlike(ReferenceSeries model, EntitySeries series, int max, RowView? view)
    {
        var (expectedTimes, expectedValues) = model.Latest(Math.Min(max, 2), view);
        var times = new long[max];
        var columns = view?.ColumnCount ?? series.FieldCount;
        var values = new double[2 * columns];
        var n = view is { } v ? series.CopyLatest(times, values, v) : series.CopyLatest(times, values);
        Assert.Equal(expectedTimes, times[..n]);
        Assert.Equal(Bits(expectedValues), Bits(values.AsSpan(0, n * columns).ToArray()));
    }

    /// <summary>No view half the time; else some columns, perhaps only where the presence column holds a number, perhaps from a time on.</summary>
    private static RowView? PickView(Random random, ReferenceSeries model, int presence, int fieldCount)
    {
        if (random.Next(2) == 0) return null;
        var first = random.Next(fieldCount);
        return new RowView(first, random.Next(0, fieldCount - first + 1), random.Next(3) == 0 ? -1 : presence,
            random.Next(3) == 0 ? long.MinValue : PickTime(random, model));
    }

    internal static long[] Bits(IEnumerable<double> values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();

    /// <summary>A time somewhere around the held samples, including before, inside and after them.</summary>
    private static long PickTime(Random random, ReferenceSeries model)
    {
        var last = model.LastTimestamp ?? SeriesData.Start;
        return random.Next(6) switch
        {
            0 => last + random.Next(-1, 2),
            1 => last + random.Next(1, 100_000),
            _ => last - random.NextInt64(0, 100 * SeriesData.Tick),
        };
    }
}

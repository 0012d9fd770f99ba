using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Tests.Storage;

namespace KubeMonitor.Facade.Tests.Durable;

/// <summary>
/// A series restored from its image reads as the original, bit for bit, and goes on like it:
/// the same appends and retention after the restore give the same answers.
/// </summary>
public class SeriesImageTests
{
    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 1; seed <= 30; seed++) seeds.Add(seed);
        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_restored_series_reads_and_continues_like_the_original(int seed)
    {
        var random = new Random(seed);
        var fieldCount = random.Next(1, 10);
        int[] chunkSizes = [2, 3, 7, 16, 90];
        var chunkSize = chunkSizes[random.Next(chunkSizes.Length)];
        // A first chunk of any length, as staggered series have (and one that differs after a restore).
        var (references, referenceOf) = SeriesData.References(random, fieldCount);
        // Rows in two parts half the time (a pod's columns and its containers', each in a value stream of its own).
        var split = random.Next(2) == 0 ? 0 : random.Next(1, fieldCount + 1);
        var original = new EntitySeries(fieldCount, chunkSize, random.Next(chunkSize + 1), references, split);
        var kinds = Enumerable.Range(0, fieldCount).Select(_ => (SeriesData.Kind)random.Next((int)SeriesData.Kind.Mixed + 1)).ToArray();
        var ways = Enumerable.Range(0, fieldCount).Select(_ => random.Next(6)).ToArray();
        var row = new double[fieldCount];
        var last = SeriesData.Start;
        EntitySeries? restored = null;
        var restores = 0;

        for (var step = 0; step < 800; step++)
        {
            var operation = random.Next(100);
            if (operation < 85)
            {
                last = SeriesData.NextTimestamp(random, last);
                for (var f = 0; f < fieldCount; f++)
                {
                    row[f] = referenceOf[f] < 0 ? SeriesData.NextValue(random, kinds[f], row[f]) : SeriesData.Follow(random, ways[f], kinds[f], row[referenceOf[f]], row[f]);
                }
                var result = original.Append(last, row);
                if (restored is not null) Assert.Equal(result, restored.Append(last, row));
                last = original.LastTimestamp ?? last;
            }
            else if (operation < 92)
            {
                var bound = last - random.NextInt64(0, 40 * SeriesData.Tick);
                var dropped = original.DropBefore(bound);
                if (restored is not null) Assert.Equal(dropped, restored.DropBefore(bound));
            }
            else
            {
                restored = new EntitySeries(fieldCount, chunkSize, random.Next(chunkSize + 1), references, split);
                restored.Restore(original.Image());
                restores++;
            }
            if (restored is not null) AssertAlike(original, restored, $"seed {seed} step {step}");
        }
        Assert.True(restores > 0);
    }

    [Fact]
    public void An_empty_series_images_as_empty()
    {
        var restored = new EntitySeries(3);
        restored.Restore(new EntitySeries(3).Image());
        Assert.Equal(0, restored.Count);
        Assert.Null(restored.LastTimestamp);
    }

    [Fact]
    public void A_series_that_is_not_empty_cannot_be_restored_over()
    {
        var series = new EntitySeries(1);
        series.Append(1, [1.0]);
        Assert.Throws<InvalidOperationException>(() => series.Restore(series.Image()));
    }

    internal static void AssertAlike(EntitySeries expected, EntitySeries actual, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.LastTimestamp, actual.LastTimestamp);
        var (expectedTimes, expectedValues, actualTimes, actualValues) = (new List<long>(), new List<double>(), new List<long>(), new List<double>());
        expected.Read(long.MinValue, long.MaxValue, includePrevious: false, expectedTimes, expectedValues);
        actual.Read(long.MinValue, long.MaxValue, includePrevious: false, actualTimes, actualValues);
        Assert.Equal(expectedTimes, actualTimes);
        Assert.True(expectedValues.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(actualValues.Select(BitConverter.DoubleToInt64Bits)), what);

        Span<long> latestTimes = stackalloc long[2];
        Span<long> otherTimes = stackalloc long[2];
        var latestValues = new double[2 * expected.FieldCount];
        var otherValues = new double[2 * expected.FieldCount];
        var n = expected.CopyLatest(latestTimes, latestValues);
        Assert.Equal(n, actual.CopyLatest(otherTimes, otherValues));
        Assert.True(latestTimes[..n].SequenceEqual(otherTimes[..n]), what);
        Assert.True(latestValues.AsSpan(0, n * expected.FieldCount).ToArray().Select(BitConverter.DoubleToInt64Bits)
            .SequenceEqual(otherValues.AsSpan(0, n * expected.FieldCount).ToArray().Select(BitConverter.DoubleToInt64Bits)), what);
    }
}

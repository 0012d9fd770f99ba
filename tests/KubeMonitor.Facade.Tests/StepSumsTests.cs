using KubeMonitor.Facade.Api;
using KubeMonitor.Facade.Queries;
using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Tests;

public sealed class StepSumsTests
{
    private static readonly long T0 = FacadeFactory.Start.ToUnixTimeMilliseconds();

    /// <summary>Two pods' rows: CPU totals rising by 1 s per second (1 core), working sets 10 and 20.</summary>
    private static void AddPods(StepSums sums)
    {
        foreach (var (offsetsMs, workingSet) in new[] { (new long[] { 0, 1_500, 4_000, 9_000 }, 10.0), (new long[] { 500, 7_000 }, 20.0) })
        {
            var timestamps = offsetsMs.Select(o => T0 + o).ToArray();
            sums.Add(timestamps, Rows(offsetsMs.Select(o => o / 1000.0).ToArray(), workingSet));
        }
    }

    [Fact]
    public void A_window_with_very_many_steps_gives_the_same_points_as_a_short_one()
    {
        var dense = new StepSums(T0, T0 + 10_000, 2);
        AddPods(dense);
        var sparse = new StepSums(T0 - 1_000_000_000, T0 + 10_000, 2); // ~500,000 steps
        AddPods(sparse);

        var expected = Points(dense);
        Assert.Equal(expected, Points(sparse));
        // Steps of 2 s from 07:00:00: [0,2) 1.5 s + 0.5 s, [4,6) 4 s, [6,8) 7 s, [8,10) 9 s; [2,4) has none.
        Assert.Equal([0, 4, 6, 8], expected.Select(p => (int)(p.Timestamp - FacadeFactory.Start.UtcDateTime).TotalSeconds));
        Assert.Equal([30.0, 10.0, 20.0, 10.0], expected.Select(p => p.Memory.WorkingSetBytes!.Value));
        Assert.Equal([1.0, 1.0, 1.0, 1.0], expected.Select(p => Math.Round(p.Cpu.UsageCores!.Value, 9))); // the pod at 0.5 s has no rate yet
        Assert.All(expected, p => Assert.Null(p.Disk.ReadBytesPerSecond));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1_000_000_000)] // sparse slots
    public void Parts_added_together_give_the_sums_of_all_pods_at_once(long extraHistoryMs)
    {
        var whole = new StepSums(T0 - extraHistoryMs, T0 + 10_000, 2);
        AddPods(whole);

        // The same two pods, one per part; part B alone also has a step ([2,4)) the other lacks.
        var partA = new StepSums(T0 - extraHistoryMs, T0 + 10_000, 2);
        var partB = new StepSums(T0 - extraHistoryMs, T0 + 10_000, 2);
        partA.Add([T0, T0 + 1_500, T0 + 4_000, T0 + 9_000], Rows([0, 1.5, 4, 9], 10));
        partB.Add([T0 + 500, T0 + 7_000], Rows([0.5, 7], 20));
        partA.Add(partB);
        Assert.Equal(Points(whole), Points(partA));

        var withGap = new StepSums(T0 - extraHistoryMs, T0 + 10_000, 2);
        withGap.Add([T0 + 9_000], Rows([9], 5));
        var other = new StepSums(T0 - extraHistoryMs, T0 + 10_000, 2);
        other.Add([T0 + 2_500], Rows([2.5], 7));
        withGap.Add(other);
        var points = Points(withGap);
        Assert.Equal([2, 8], points.Select(p => (int)(p.Timestamp - FacadeFactory.Start.UtcDateTime).TotalSeconds));
        Assert.Equal([7.0, 5.0], points.Select(p => p.Memory.WorkingSetBytes!.Value));
        Assert.All(points, p => Assert.Null(p.Cpu.UsageCores)); // no pod has a rate: null in both parts stays null
    }

    [Fact]
    public void Only_sums_of_the_same_window_and_step_add()
    {
        var sums = new StepSums(T0, T0 + 10_000, 2);
        Assert.Throws<ArgumentException>(() => sums.Add(new StepSums(T0, T0 + 10_000, 5)));
        Assert.Throws<ArgumentException>(() => sums.Add(new StepSums(T0 + 4_000, T0 + 10_000, 2)));
    }

    /// <summary>Pod rows in the columns of PodFields.Table: cpu seconds, working set, usage 1, nothing else.</summary>
    private static double[] Rows(double[] cpuSeconds, double workingSet) =>
        cpuSeconds.SelectMany(c =>
        {
            var row = PodFields.Table.EmptyRow();
            row[PodFields.Table.Column("cpu.usageSecondsTotal")] = c;
            row[PodFields.Table.Column("memory.workingSetBytes")] = workingSet;
            row[PodFields.Table.Column("memory.usageBytes")] = 1;
            return row;
        }).ToArray();

    /// <summary>The sums' points as the JSON view shows them.</summary>
    private static List<AggregatePoint> Points(StepSums sums) => ViewMapping.NamespaceSeries("ns", new Windowed(0, 0, 1, sums.Points(), new Summary())).Points.ToList();
}

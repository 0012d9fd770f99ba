using KubeMonitor.Facade.Queries;
using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Tests;

/// <summary>The pod view table's section 6 values computed from two raw rows: the edge cases the API tests do not reach.</summary>
public sealed class WorkloadViewTests
{
    private static readonly ViewTable Pod = EntityViews.Pod;

    /// <summary>Two rows 10 s apart; each (column, previous, current).</summary>
    private static double[] Compute(params (string Path, double Previous, double Current)[] values)
    {
        var (previous, current) = (PodFields.Table.EmptyRow(), PodFields.Table.EmptyRow());
        foreach (var (path, before, now) in values)
        {
            previous[PodFields.Table.Column(path)] = before;
            current[PodFields.Table.Column(path)] = now;
        }
        var computed = new double[Pod.Count];
        Pod.Compute(0, previous, 10_000, current, computed);
        return computed;
    }

    private static double At(double[] values, string path) => values[Pod.Index(path)];

    [Fact]
    public void A_counter_reset_gives_no_oom_kills_and_no_throttled_ratio()
    {
        var values = Compute(("memory.oomKillsTotal", 5, 1), ("cpu.throttledPeriodsTotal", 50, 2), ("cpu.periodsTotal", 500, 20));
        Assert.True(double.IsNaN(At(values, "memory.oomKills")));
        Assert.True(double.IsNaN(At(values, "cpu.throttledPeriodsRatio")));
        Assert.Equal(1.0, At(values, "memory.oomKillsTotal"));
    }

    [Fact]
    public void No_elapsed_period_gives_no_ratio_and_no_oom_kill_gives_zero()
    {
        var values = Compute(("cpu.throttledPeriodsTotal", 7, 7), ("cpu.periodsTotal", 70, 70), ("memory.oomKillsTotal", 3, 3));
        Assert.True(double.IsNaN(At(values, "cpu.throttledPeriodsRatio"))); // 0 of 0 periods: idle, not unthrottled
        Assert.Equal(0.0, At(values, "memory.oomKills"));
    }

    [Theory]
    [InlineData(0.0, double.NaN)]   // a limit of 0 is none
    [InlineData(0.5, 1.0)]          // 1 core used over a 0.5-core limit (a burst, or jitter): clamped
    [InlineData(4.0, 0.25)]
    public void Cpu_limit_utilization_is_usage_over_the_limit_within_0_and_1(double limit, double expected)
    {
        var values = Compute(("cpu.usageSecondsTotal", 0, 10), ("cpu.limitCores", limit, limit));
        Assert.Equal(expected, At(values, "cpu.limitUtilization"));
    }

    [Fact]
    public void Rollups_sum_requests_and_limits_and_never_a_ratio_throttling_or_pressure()
    {
        var summed = EntityViews.Rollup.Values.Select(v => v.Path).ToList();
        Assert.Contains("cpu.requestCores", summed);
        Assert.Contains("memory.limitBytes", summed);
        Assert.DoesNotContain(summed, p => p.Contains("Utilization", StringComparison.Ordinal) || p.Contains("throttled", StringComparison.Ordinal)
            || p.StartsWith("pressure.", StringComparison.Ordinal) || p.Contains("oom", StringComparison.OrdinalIgnoreCase) || p.EndsWith("Total", StringComparison.Ordinal));
    }
}

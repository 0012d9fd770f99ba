using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Collectors;
using KubeMonitor.Exporter.Parsers;
using KubeMonitor.Exporter.Tests.Support;

namespace KubeMonitor.Exporter.Tests.Collectors;

/// <summary>Node CPU seconds: the usage ticks of every cpuN line (see ProcStatParserTests for the hand sums) / 100.</summary>
public sealed class NodeCpuCollectorTests
{
    [Theory]
    [InlineData("procfs-8cpu", 4183.22, 8)] // 418322 ticks
    [InlineData("node-exporter", 4183.22, 8)] // guest columns are inside user, not added
    [InlineData("coroot-16cpu", 317750280.14, 16)]
    [InlineData("stat-sequences/cpu-count-decrease/0", 345.69, 2)]
    [InlineData("stat-sequences/cpu-count-decrease/1", 150.54, 1)]
    [InlineData("stat-sequences/cpu-times-decrease/0", 0.20, 1)]
    [InlineData("stat-sequences/cpu-times-decrease/1", 0.39, 1)]
    [InlineData("stat-sequences/cpu-times-decrease/2", 0.59, 1)]
    public void Reads_proc_stat_under_the_root_as_seconds(string folder, double seconds, int cores)
    {
        var snapshot = new NodeSnapshot { NodeName = "node-1", Timestamp = DateTimeOffset.UnixEpoch };
        var collector = new NodeCpuCollector(FixtureRoots.Proc(folder));

        collector.Collect(snapshot);

        Assert.Equal("cpu", collector.Name);
        Assert.Equal(new NodeCpu(seconds, cores), snapshot.Cpu);
        Assert.Null(snapshot.Memory);
    }

    [Fact]
    public void Sums_in_whole_ticks_so_counters_above_2_pow_53_stay_exact_until_the_division()
    {
        // 2^53 + 1 ticks of user time and 1 of nice: summed as doubles the +1s would be lost.
        var usage = NodeCpuCollector.Usage(new ProcStat([new CpuTimes(0, 9007199254740993, 1, 0, 0, 0, 0, 0)]));

        Assert.Equal(9007199254740994 / 100.0, usage.UsageSecondsTotal);
    }

    [Fact]
    public void Leaves_idle_iowait_steal_and_guest_out() =>
        Assert.Equal(new NodeCpu(0.15, 1), NodeCpuCollector.Usage(new ProcStat([new CpuTimes(0, 1, 2, 3, 100, 200, 5, 4, Steal: 300, Guest: 400, GuestNice: 500)])));

    [Fact]
    public void Refuses_ticks_that_overflow_64_bits()
    {
        var error = Assert.Throws<OverflowException>(() => NodeCpuCollector.Usage(new ProcStat([new CpuTimes(0, ulong.MaxValue, 1, 0, 0, 0, 0, 0)])));
        Assert.Contains("overflow", error.Message, StringComparison.Ordinal);
    }
}

using KubeMonitor.Exporter.Parsers;
using static KubeMonitor.Exporter.Tests.Cgroups.CgroupFixtures;

namespace KubeMonitor.Exporter.Tests.Parsers;

public sealed class CpuStatParserTests
{
    [Theory]
    [InlineData(Amzn2Cpu + "/cpu.stat", 0UL, 0UL, 0UL)]
    [InlineData(CorootV1 + "/cpu/" + CorootV1Docker + "/cpu.stat", 380975143UL, 5583849UL, 254005032764376UL)]
    [InlineData(CorootV1 + "/cpu/" + CorootV1Service + "/cpu.stat", 0UL, 0UL, 0UL)]
    public void V1_fixtures(string file, ulong periods, ulong throttled, ulong throttledNs) =>
        Assert.Equal(new CpuStatV1(periods, throttled, throttledNs), CpuStatV1Parser.Parse(Text(file)));

    [Fact]
    public void V1_newer_kernel_keys_are_ignored() =>
        Assert.Equal(new CpuStatV1(7, 2, 9007199254740993),
            CpuStatV1Parser.Parse("nr_periods 7\nnr_throttled 2\nthrottled_time 9007199254740993\nnr_bursts 0\nburst_time 0\nwait_sum 5"));

    [Theory]
    [InlineData("")]
    [InlineData("nr_periods 1\nnr_throttled 0\n")]                     // truncated: throttled_time missing
    [InlineData("nr_periods 1\nnr_throttled x\nthrottled_time 0\n")]
    [InlineData("nr_periods\nnr_throttled 0\nthrottled_time 0\n")]
    [InlineData("nr_periods 1 2\nnr_throttled 0\nthrottled_time 0\n")]
    public void V1_broken_input(string text) => Assert.Throws<FormatException>(() => CpuStatV1Parser.Parse(text));

    [Theory]
    [InlineData(CorootV2 + "/cpu.stat", 3795681254UL, 809036UL, 76UL, 363166UL)]
    [InlineData(ElasticSlice + "/cpu.stat", 738173847375UL, 0UL, 0UL, 0UL)]
    [InlineData(ElasticScope + "/cpu.stat", 26772130245UL, 1UL, 4UL, 10UL)]
    [InlineData(ElasticSession + "/cpu.stat", 3611347518UL, 0UL, 0UL, 0UL)]
    [InlineData(TelegrafV2 + "/cpu.stat", 98701325189UL, 3936904UL, 6004UL, 19175137007UL)]
    public void V2_fixtures(string file, ulong usageUsec, ulong periods, ulong throttled, ulong throttledUsec) =>
        Assert.Equal(new CpuStatV2(usageUsec, periods, throttled, throttledUsec), CpuStatV2Parser.Parse(Text(file)));

    [Fact]
    public void V2_without_the_cpu_controller_has_usage_but_no_throttling()
    {
        // The cgroup2 tree of a hybrid host (this machine's /sys/fs/cgroup/unified): core accounting only.
        var stat = CpuStatV2Parser.Parse("usage_usec 213764373\nuser_usec 165386104\nsystem_usec 48378269\nnice_usec 0\n");
        Assert.Equal(new CpuStatV2(213764373, null, null, null), stat);
    }

    [Theory]
    [InlineData("")]
    [InlineData("user_usec 1\nsystem_usec 2\n")]        // no usage_usec
    [InlineData("usage_usec 12a\n")]
    [InlineData("usage_usec\n")]
    [InlineData("usage_usec 18446744073709551616\n")]
    public void V2_broken_input(string text) => Assert.Throws<FormatException>(() => CpuStatV2Parser.Parse(text));
}

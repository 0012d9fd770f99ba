using KubeMonitor.Exporter.Parsers;
using static KubeMonitor.Exporter.Tests.Cgroups.CgroupFixtures;

namespace KubeMonitor.Exporter.Tests.Parsers;

/// <summary>The one-number files: cpuacct.usage, memory.usage_in_bytes, memory.current.</summary>
public sealed class CgroupCounterParserTests
{
    [Theory]
    [InlineData(Amzn2Cpu + "/cpuacct.usage", 124659500367000UL)]
    [InlineData(CorootV1 + "/cpuacct/" + CorootV1Docker + "/cpuacct.usage", 107292866812141UL)]
    [InlineData(CorootV1 + "/cpuacct/" + CorootV1Service + "/cpuacct.usage", 26778913419246UL)]
    public void Cpuacct_usage_fixtures(string file, ulong nanoseconds) =>
        Assert.Equal(nanoseconds, CpuacctUsageParser.Parse(Text(file)));

    [Fact]
    public void Memory_usage_in_bytes_fixture() =>
        Assert.Equal(1215860736UL, MemoryUsageParser.ParseUsageInBytes(Text(Amzn2Memory + "/memory.usage_in_bytes")));

    [Theory]
    [InlineData(CorootV2 + "/memory.current", 48648192UL)]
    [InlineData(ElasticScope + "/memory.current", 9125888UL)]
    [InlineData(ElasticSlice + "/memory.current", 11583053824UL)]
    [InlineData(ElasticSession + "/memory.current", 10498404352UL)]
    [InlineData(TelegrafV2 + "/memory.current", 13071106048UL)]
    public void Memory_current_fixtures(string file, ulong bytes) =>
        Assert.Equal(bytes, MemoryUsageParser.ParseCurrent(Text(file)));

    [Theory]
    [InlineData("42", 42UL)]                                        // no trailing newline
    [InlineData("150000\n\n", 150000UL)]                            // extra empty line (coroot's cfs files)
    [InlineData("9007199254740993\n", 9007199254740993UL)]          // 2^53 + 1: exact, never via double
    [InlineData("18446744073709551615\n", ulong.MaxValue)]
    [InlineData("9223372036854771712\n", 9223372036854771712UL)]    // v1 "unlimited"
    public void Single_counter_edge_cases(string text, ulong expected)
    {
        Assert.Equal(expected, CpuacctUsageParser.Parse(text));
        Assert.Equal(expected, MemoryUsageParser.ParseCurrent(text));
        Assert.Equal(expected, MemoryUsageParser.ParseUsageInBytes(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("abc\n")]
    [InlineData("-1\n")]
    [InlineData("12 34\n")]
    [InlineData("1.5\n")]
    [InlineData("18446744073709551616\n")]  // 2^64 overflows
    [InlineData("max\n")]
    public void Single_counter_broken_input(string text)
    {
        Assert.Throws<FormatException>(() => CpuacctUsageParser.Parse(text));
        Assert.Throws<FormatException>(() => MemoryUsageParser.ParseCurrent(text));
        Assert.Throws<FormatException>(() => MemoryUsageParser.ParseUsageInBytes(text));
    }
}

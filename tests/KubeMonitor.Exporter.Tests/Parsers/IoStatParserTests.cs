using KubeMonitor.Exporter.Parsers;
using static KubeMonitor.Exporter.Tests.Cgroups.CgroupFixtures;

namespace KubeMonitor.Exporter.Tests.Parsers;

public sealed class IoStatParserTests
{
    [Theory]
    [InlineData(CorootV2 + "/io.stat", 44UL, 1261076481UL)]                       // 11 + 33; 630538240 + 630538241
    [InlineData(ElasticScope + "/io.stat", 1536UL, 8192UL)]                       // dbytes are not written bytes
    [InlineData(ElasticSlice + "/io.stat", 29189375488UL, 1227613943296UL)]       // three devices
    [InlineData(TelegrafV2 + "/io.stat", 74526720UL, 3789381632UL)]
    // Kernel quirk: "7:7 7:6 7:5 7:4 rbytes=556032 ..." then "7:3 rbytes=21017600 ...".
    [InlineData("cgroup-v2/io-stat-quirks/ubuntu/io.stat", 21573632UL, 0UL)]
    // Final line of ids only, no trailing newline.
    [InlineData("cgroup-v2/io-stat-quirks/ubuntu2/io.stat", 94894926848UL, 429402874880UL)]
    public void Fixtures(string file, ulong read, ulong written) =>
        Assert.Equal(new IoBytes(read, written), IoStatParser.Parse(Text(file)));

    [Theory]
    [InlineData("")]                      // a cgroup that did no I/O
    [InlineData("\n")]
    [InlineData("7:0 7:1 ")]              // only ids without stats
    public void No_io_is_zero(string text) => Assert.Equal(new IoBytes(0, 0), IoStatParser.Parse(text));

    [Fact]
    public void Unknown_keys_are_ignored() =>
        Assert.Equal(new IoBytes(1, 2), IoStatParser.Parse("8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6 cost.vrate=100.00 cost.usage=7\n"));

    [Fact]
    public void Counters_above_2_to_the_53_are_exact() =>
        Assert.Equal(new IoBytes(9007199254740993, 0), IoStatParser.Parse("8:0 rbytes=9007199254740993 wbytes=0\n"));

    [Theory]
    [InlineData("8:0 rbytes=x wbytes=0\n")]
    [InlineData("8:0 rbytes= wbytes=0\n")]
    [InlineData("8:0 rbytes=-1 wbytes=0\n")]
    [InlineData("sda rbytes=1 wbytes=0\n")]
    [InlineData("8: rbytes=1\n")]
    public void Broken_input(string text) => Assert.Throws<FormatException>(() => IoStatParser.Parse(text));
}

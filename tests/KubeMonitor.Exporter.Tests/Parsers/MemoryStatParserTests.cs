using KubeMonitor.Exporter.Parsers;
using static KubeMonitor.Exporter.Tests.Cgroups.CgroupFixtures;

namespace KubeMonitor.Exporter.Tests.Parsers;

public sealed class MemoryStatParserTests
{
    [Theory]
    [InlineData(Amzn2Memory + "/memory.stat", 1119465472UL, 78397440UL, 0UL, 78557184UL)]
    [InlineData(CorootV1 + "/memory/" + CorootV1Docker + "/memory.stat", 12778020864UL, 3206844416UL, 1604784128UL, 1601998848UL)]   // ends with an empty line
    [InlineData(CorootV1 + "/memory/" + CorootV1Service + "/memory.stat", 12778020864UL, 3206844416UL, 1604784128UL, 1601998848UL)]
    public void V1_fixtures(string file, ulong rss, ulong cache, ulong activeFile, ulong inactiveFile) =>
        Assert.Equal(new MemoryStat(rss, cache, activeFile, inactiveFile), MemoryStatParser.ParseV1(Text(file)));

    [Fact]
    public void V1_prefers_the_hierarchical_total_keys()
    {
        // A pod cgroup: its own (plain) counters are ~0, its children's are in total_*.
        var stat = MemoryStatParser.ParseV1("cache 0\nrss 0\ninactive_file 0\nactive_file 0\ntotal_cache 300\ntotal_rss 200\ntotal_inactive_file 100\ntotal_active_file 50\n");
        Assert.Equal(new MemoryStat(200, 300, 50, 100), stat);
    }

    [Fact]
    public void V1_without_total_keys_uses_the_plain_ones() =>
        Assert.Equal(new MemoryStat(2, 1, 4, 3), MemoryStatParser.ParseV1("cache 1\nrss 2\ninactive_file 3\nactive_file 4"));

    [Theory]
    [InlineData(CorootV2 + "/memory.stat", 44892160UL, 1044480UL, 786432UL, 159744UL)]
    [InlineData(ElasticScope + "/memory.stat", 411045888UL, 0UL, 0UL, 270336UL)]
    [InlineData(ElasticSlice + "/memory.stat", 3531862016UL, 7489388544UL, 968343552UL, 6605029376UL)]
    [InlineData(ElasticSession + "/memory.stat", 1411100672UL, 8621432832UL, 1935663104UL, 6685749248UL)]   // kernel 6.x keys (zswap, ...)
    [InlineData(TelegrafV2 + "/memory.stat", 2471755776UL, 8532865024UL, 5597401088UL, 2935459840UL)]
    public void V2_fixtures(string file, ulong anon, ulong fileBytes, ulong activeFile, ulong inactiveFile) =>
        Assert.Equal(new MemoryStat(anon, fileBytes, activeFile, inactiveFile), MemoryStatParser.ParseV2(Text(file)));

    [Fact]
    public void Missing_keys_are_null_not_zero()
    {
        Assert.Equal(new MemoryStat(null, null, null, null), MemoryStatParser.ParseV2("kernel_stack 4096\n"));
        Assert.Equal(new MemoryStat(null, null, null, null), MemoryStatParser.ParseV1(""));
    }

    [Theory]
    [InlineData("anon 1\nfile\n")]                  // truncated line
    [InlineData("anon 1\nfile -5\n")]
    [InlineData("anon 1\nfile 2 3\n")]
    [InlineData("anon one\n")]
    public void Broken_input(string text)
    {
        Assert.Throws<FormatException>(() => MemoryStatParser.ParseV2(text));
        Assert.Throws<FormatException>(() => MemoryStatParser.ParseV1(text.Replace("anon", "rss", StringComparison.Ordinal)));
    }

    [Fact]
    public void Values_above_2_to_the_53_stay_exact() =>
        Assert.Equal(9007199254740993UL, MemoryStatParser.ParseV2("anon 9007199254740993\n").RssBytes);
}

using KubeMonitor.Exporter.Parsers;
using static KubeMonitor.Exporter.Tests.Cgroups.CgroupFixtures;

namespace KubeMonitor.Exporter.Tests.Parsers;

public sealed class OomKillParserTests
{
    [Fact]
    public void Oom_control_fixture() =>
        Assert.Equal(0UL, OomKillParser.ParseOomControl(Text(Amzn2Memory + "/memory.oom_control")));

    [Fact]
    public void Oom_control_counts() =>
        Assert.Equal(3UL, OomKillParser.ParseOomControl("oom_kill_disable 0\nunder_oom 1\noom_kill 3"));

    [Fact]
    public void Oom_control_before_kernel_4_13_has_no_counter() =>
        Assert.Null(OomKillParser.ParseOomControl("oom_kill_disable 0\nunder_oom 0\n"));

    [Fact]
    public void Memory_events_counts_oom_kill_not_oom() =>
        Assert.Equal(2UL, OomKillParser.ParseMemoryEvents("low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n"));

    [Theory]
    [InlineData("")]
    [InlineData("low 0\nhigh 0\nmax 0\noom 0\n")]
    public void Memory_events_without_oom_kill_is_null(string text) => Assert.Null(OomKillParser.ParseMemoryEvents(text));

    [Theory]
    [InlineData("oom_kill x\n")]
    [InlineData("oom_kill\n")]
    [InlineData("oom_kill 1 2\n")]
    public void Broken_input(string text)
    {
        Assert.Throws<FormatException>(() => OomKillParser.ParseMemoryEvents(text));
        Assert.Throws<FormatException>(() => OomKillParser.ParseOomControl(text));
    }
}

using KubeMonitor.Exporter.Parsers;
using static KubeMonitor.Exporter.Tests.Cgroups.CgroupFixtures;

namespace KubeMonitor.Exporter.Tests.Parsers;

public sealed class ProcCgroupParserTests
{
    [Theory]
    [InlineData("proc/coroot-cgroup-paths/100/cgroup", 11)]
    [InlineData("proc/coroot-cgroup-paths/1000/cgroup", 11)]
    [InlineData("proc/coroot-cgroup-paths/200/cgroup", 11)]      // no trailing newline
    [InlineData("proc/coroot-cgroup-paths/2000/cgroup", 14)]     // 13 hierarchies plus the v2 line
    [InlineData("proc/coroot-cgroup-paths/300/cgroup", 11)]
    [InlineData("proc/coroot-cgroup-paths/3000/cgroup", 1)]
    [InlineData("proc/coroot-cgroup-paths/400/cgroup", 1)]
    [InlineData("proc/coroot-cgroup-paths/500/cgroup", 1)]
    [InlineData("proc/coroot-cgroup-paths/550/cgroup", 13)]
    [InlineData("proc/coroot-cgroup-paths/600/cgroup", 11)]
    [InlineData("proc/coroot-cgroup-paths/700/cgroup", 1)]
    [InlineData("proc/coroot-cgroup-paths/800/cgroup", 2)]
    [InlineData("proc/coroot-cgroup-paths/900/cgroup", 2)]
    [InlineData("cgroup-v1/amzn2-eks-kubepods/proc/1/cgroup", 12)]
    [InlineData("cgroup-v1/amzn2-eks-kubepods/proc/493239/cgroup", 12)]
    [InlineData("cgroup-v2/elastic-session-scope/proc/2233801/cgroup", 1)]
    public void Every_fixture_parses_line_by_line(string file, int lines) =>
        Assert.Equal(lines, ProcCgroupParser.Parse(Text(file)).Count);

    [Fact]
    public void Hybrid_lines_have_combined_controllers_and_a_v2_line()
    {
        var lines = ProcCgroupParser.Parse(Text("proc/coroot-cgroup-paths/2000/cgroup"));

        var cpu = Assert.Single(lines, l => l.HierarchyId == 2);
        Assert.Equal(["cpu", "cpuacct"], cpu.Controllers);
        Assert.Equal("/kubepods/burstable/pod8833712d-6e69-4f5c-95f3-aebd020ce2e7/95cbe853416f52d927dec41f1406dd75015ea131244a1ca875a7cd4ebe927ac8", cpu.Path);
        var v2 = Assert.Single(lines, l => l.HierarchyId == 0);
        Assert.Empty(v2.Controllers);
        Assert.Equal("/reserved.slice/containerd.service", v2.Path);
        Assert.Equal(["name=systemd"], Assert.Single(lines, l => l.HierarchyId == 1).Controllers);
    }

    [Fact]
    public void Unordered_ids_and_namespaced_relative_paths()
    {
        Assert.Equal([1, 7], ProcCgroupParser.Parse(Text("proc/coroot-cgroup-paths/900/cgroup")).Select(l => l.HierarchyId));
        Assert.Equal("/../../user-1000.slice/session-520.scope",
            Assert.Single(ProcCgroupParser.Parse(Text("cgroup-v2/elastic-session-scope/proc/2233801/cgroup"))).Path);
    }

    [Fact]
    public void A_path_may_contain_colons() =>
        Assert.Equal("/a:b", Assert.Single(ProcCgroupParser.Parse("0::/a:b\n")).Path);

    [Theory]
    [InlineData("abc\n")]
    [InlineData("x:cpu:/\n")]
    [InlineData("1:cpu\n")]
    [InlineData("1:cpu:\n")]
    [InlineData("-1:cpu:/\n")]
    public void Broken_input(string text) => Assert.Throws<FormatException>(() => ProcCgroupParser.Parse(text));

    [Fact]
    public void Empty_is_no_lines() => Assert.Empty(ProcCgroupParser.Parse(""));
}

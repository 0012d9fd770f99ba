using KubeMonitor.Exporter.Parsers;
using static KubeMonitor.Exporter.Tests.Cgroups.CgroupFixtures;

namespace KubeMonitor.Exporter.Tests.Parsers;

public sealed class MountInfoParserTests
{
    [Fact]
    public void Pod_view_on_cgroup_v1()
    {
        var mounts = MountInfoParser.Parse(Text("proc/coroot-pod-mountinfo/123/mountinfo"));

        var cpu = Assert.Single(mounts, m => m.MountPoint == "/sys/fs/cgroup/cpu,cpuacct");
        Assert.Equal("cgroup", cpu.FsType);
        Assert.Equal(["rw", "cpu", "cpuacct"], cpu.SuperOptions);
        Assert.Equal("/kubepods/burstable/pod51d1885e-187c-4563-a51e-2cccf685610c/794b58c8a6dff2d8313df105c011868f33584884d6dd3384a5ebc570fd6b8b9b", cpu.Root);
        // "master:11" is an optional field before the "-" separator.
        Assert.Equal(["rw", "xattr", "name=systemd"], Assert.Single(mounts, m => m.MountPoint == "/sys/fs/cgroup/systemd").SuperOptions);
        Assert.Equal(12, mounts.Count(m => m.FsType == "cgroup")); // lines 3112 to 3123
        Assert.Equal("tmpfs", Assert.Single(mounts, m => m.MountPoint == "/sys/fs/cgroup").FsType);
    }

    [Fact]
    public void This_hosts_hybrid_lines()
    {
        var mounts = MountInfoParser.Parse(
            "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n" +
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw");
        Assert.Equal(["cgroup", "cgroup2"], mounts.Select(m => m.FsType));
        Assert.Equal("/sys/fs/cgroup/unified", mounts[1].MountPoint);
    }

    [Fact]
    public void Octal_escapes_are_decoded() =>
        Assert.Equal("/mnt/my dir\\x", MountInfoParser.Parse(@"50 1 0:40 / /mnt/my\040dir\134x rw - tmpfs tmpfs rw").Single().MountPoint);

    [Theory]
    [InlineData("36 35 98:0 / /mnt rw shared:1\n")]                 // no separator
    [InlineData("36 35 98:0 / /mnt rw - ext3\n")]                   // truncated after the fs type
    [InlineData("36 35 - / /mnt\n")]
    public void Broken_input(string text) => Assert.Throws<FormatException>(() => MountInfoParser.Parse(text));

    [Fact]
    public void Empty_is_no_mounts() => Assert.Empty(MountInfoParser.Parse(""));
}

using KubeMonitor.Exporter.Cgroups;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Parsers;
using static KubeMonitor.Exporter.Tests.Cgroups.CgroupFixtures;

namespace KubeMonitor.Exporter.Tests.Cgroups;

public sealed class CgroupLayoutDetectorTests
{
    // This machine's cgroup lines of /proc/1/mountinfo: v1 controllers in separate folders, cgroup2 at unified.
    private const string HybridMountInfo = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    [Fact]
    public void Probe_of_the_amzn2_fixture_is_v1_with_combined_cpu_cpuacct()
    {
        var root = CgroupFixtures.Path(Amzn2Root);
        var layout = CgroupLayoutDetector.Probe(root)!;

        Assert.Equal(CgroupMode.V1, layout.Mode);
        Assert.Equal(System.IO.Path.Join(root, "cpu,cpuacct"), layout.V1("cpu"));
        Assert.Equal(System.IO.Path.Join(root, "cpu,cpuacct"), layout.V1("cpuacct"));
        Assert.Equal(System.IO.Path.Join(root, "memory"), layout.V1("memory"));
        Assert.Equal(System.IO.Path.Join(root, "blkio"), layout.V1("blkio"));
        Assert.Null(layout.Unified);
        Assert.Equal(System.IO.Path.Join(root, "cpu,cpuacct"), layout.DiscoveryRoot);
    }

    [Fact]
    public void Probe_of_separate_v1_folders()
    {
        var root = CgroupFixtures.Path(CorootV1);
        var layout = CgroupLayoutDetector.Probe(root)!;

        Assert.Equal(CgroupMode.V1, layout.Mode);
        Assert.Equal(System.IO.Path.Join(root, "cpu"), layout.V1("cpu"));
        Assert.Equal(System.IO.Path.Join(root, "cpuacct"), layout.V1("cpuacct"));
        Assert.Equal(System.IO.Path.Join(root, "cpuacct"), layout.DiscoveryRoot);
    }

    [Fact]
    public void Probe_of_a_v2_fixture_without_cgroup_controllers_is_unified()
    {
        var root = CgroupFixtures.Path(CorootV2Root);
        var layout = CgroupLayoutDetector.Probe(root)!;

        Assert.Equal(CgroupMode.V2, layout.Mode);
        Assert.Equal(root, layout.Unified);
        Assert.Empty(layout.V1Hierarchies);
        Assert.Equal(root, layout.DiscoveryRoot);
    }

    [Fact]
    public void Probe_with_cgroup_controllers_at_the_root_is_v2_even_beside_folders()
    {
        using var tree = new TempCgroupTree();
        tree.WriteCgroupFile("cgroup.controllers", "cpuset cpu io memory pids\n");
        tree.CgroupDir("memory"); // a cgroup that happens to be named like a controller
        Assert.Equal(CgroupMode.V2, CgroupLayoutDetector.Probe(tree.Cgroup)!.Mode);
    }

    [Fact]
    public void Probe_of_a_hybrid_tree_prefers_real_folders_over_symlinks()
    {
        using var tree = new TempCgroupTree();
        tree.CgroupDir("cpu,cpuacct");
        tree.CgroupDir("memory");
        tree.CgroupDir("systemd");
        tree.CgroupDir("unified");
        File.CreateSymbolicLink(System.IO.Path.Join(tree.Cgroup, "cpu"), "cpu,cpuacct");
        File.CreateSymbolicLink(System.IO.Path.Join(tree.Cgroup, "cpuacct"), "cpu,cpuacct");

        var layout = CgroupLayoutDetector.Probe(tree.Cgroup)!;

        Assert.Equal(CgroupMode.Hybrid, layout.Mode);
        Assert.Equal(System.IO.Path.Join(tree.Cgroup, "cpu,cpuacct"), layout.V1("cpu"));
        Assert.Equal(System.IO.Path.Join(tree.Cgroup, "cpu,cpuacct"), layout.V1("cpuacct"));
        Assert.Equal(System.IO.Path.Join(tree.Cgroup, "unified"), layout.Unified);
        Assert.Null(layout.V1("blkio"));
    }

    [Fact]
    public void Mountinfo_of_a_hybrid_host_is_mapped_onto_the_cgroup_root()
    {
        // As in the DaemonSet: the host's /sys/fs/cgroup is seen at another root (here a temp dir).
        using var tree = new TempCgroupTree();
        foreach (var dir in new[] { "cpu", "cpuacct", "cpuset", "memory", "blkio", "systemd", "unified" }) tree.CgroupDir(dir);

        var layout = CgroupLayoutDetector.FromMountInfo(MountInfoParser.Parse(HybridMountInfo), tree.Cgroup, "test mountinfo")!;

        Assert.Equal(CgroupMode.Hybrid, layout.Mode);
        Assert.Equal(System.IO.Path.Join(tree.Cgroup, "cpu"), layout.V1("cpu"));
        Assert.Equal(System.IO.Path.Join(tree.Cgroup, "cpuacct"), layout.V1("cpuacct"));
        Assert.Equal(System.IO.Path.Join(tree.Cgroup, "memory"), layout.V1("memory"));
        Assert.Equal(System.IO.Path.Join(tree.Cgroup, "blkio"), layout.V1("blkio"));
        Assert.Equal(System.IO.Path.Join(tree.Cgroup, "unified"), layout.Unified);
        Assert.Null(layout.V1("name=systemd"));
        Assert.Equal(System.IO.Path.Join(tree.Cgroup, "cpuacct"), layout.DiscoveryRoot);
        Assert.Equal("test mountinfo", layout.Source);
    }

    [Fact]
    public void Mountinfo_of_a_v2_host()
    {
        using var tree = new TempCgroupTree();
        var mounts = MountInfoParser.Parse("30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n");

        var layout = CgroupLayoutDetector.FromMountInfo(mounts, tree.Cgroup, "m")!;

        Assert.Equal(CgroupMode.V2, layout.Mode);
        Assert.Equal(tree.Cgroup, layout.Unified);
    }

    [Fact]
    public void Mountinfo_with_combined_controllers_from_the_pod_fixture()
    {
        using var tree = new TempCgroupTree();
        foreach (var dir in new[] { "cpu,cpuacct", "memory", "blkio", "net_cls,net_prio", "systemd" }) tree.CgroupDir(dir);

        var layout = CgroupLayoutDetector.FromMountInfo(MountInfoParser.Parse(Text("proc/coroot-pod-mountinfo/123/mountinfo")), tree.Cgroup, "m")!;

        Assert.Equal(CgroupMode.V1, layout.Mode);
        Assert.Equal(System.IO.Path.Join(tree.Cgroup, "cpu,cpuacct"), layout.V1("cpu"));
        Assert.Equal(System.IO.Path.Join(tree.Cgroup, "cpu,cpuacct"), layout.V1("cpuacct"));
        Assert.Equal(System.IO.Path.Join(tree.Cgroup, "net_cls,net_prio"), layout.V1("net_prio"));
        Assert.Null(layout.V1("pids")); // mounted on the host, but its folder is not visible here
    }

    [Fact]
    public void Mountinfo_without_visible_cgroup_mounts_gives_nothing()
    {
        using var tree = new TempCgroupTree();
        Assert.Null(CgroupLayoutDetector.FromMountInfo(MountInfoParser.Parse(HybridMountInfo), tree.Cgroup, "m"));
        Assert.Null(CgroupLayoutDetector.FromMountInfo(
            MountInfoParser.Parse("41 31 0:38 / /run/cgroup2 rw - cgroup2 cgroup2 rw\n22 1 0:5 / /proc rw - proc proc rw"), tree.Cgroup, "m"));
    }

    [Fact]
    public void Detect_reads_proc_1_mountinfo_first()
    {
        using var tree = new TempCgroupTree();
        foreach (var dir in new[] { "cpu", "cpuacct", "cpuset", "memory", "blkio", "systemd", "unified" }) tree.CgroupDir(dir);
        tree.WriteProcFile("1/mountinfo", HybridMountInfo);
        tree.WriteProcFile("self/mountinfo", "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");

        var layout = CgroupLayoutDetector.Detect(HostRoot.Create(tree.Proc, tree.Sys));

        Assert.Equal(CgroupMode.Hybrid, layout.Mode);
        Assert.EndsWith("/proc/1/mountinfo", layout.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_falls_back_to_self_then_to_the_probe()
    {
        using var tree = new TempCgroupTree();
        tree.CgroupDir("cpu,cpuacct");
        tree.WriteProcFile("self/mountinfo", "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
        Assert.Equal(CgroupMode.V2, CgroupLayoutDetector.Detect(HostRoot.Create(tree.Proc, tree.Sys)).Mode);

        File.Delete(System.IO.Path.Join(tree.Proc, "self", "mountinfo"));
        var probed = CgroupLayoutDetector.Detect(HostRoot.Create(tree.Proc, tree.Sys));
        Assert.Equal(CgroupMode.V1, probed.Mode);
        Assert.StartsWith("a probe of", probed.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_on_the_amzn2_fixture_root_probes()
    {
        var root = CgroupFixtures.Path("cgroup-v1/amzn2-eks-kubepods");
        var layout = CgroupLayoutDetector.Detect(HostRoot.Create(System.IO.Path.Join(root, "proc"), System.IO.Path.Join(root, "sys")));
        Assert.Equal(CgroupMode.V1, layout.Mode);
    }

    [Fact]
    public void Describe_names_the_mode_and_every_hierarchy()
    {
        var hybrid = new CgroupLayout("/c/unified", new Dictionary<string, string> { ["cpu"] = "/c/cpu", ["cpuacct"] = "/c/cpuacct", ["memory"] = "/c/memory" }, "/proc/1/mountinfo");
        var line = hybrid.Describe();
        Assert.StartsWith("cgroup hybrid, from /proc/1/mountinfo", line, StringComparison.Ordinal);
        Assert.Contains("cpuacct=/c/cpuacct", line, StringComparison.Ordinal);
        Assert.Contains("blkio=absent", line, StringComparison.Ordinal);
        Assert.Contains("/c/unified", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
        Assert.Equal("cgroup v2 (unified) at /c, from x", CgroupLayout.V2("/c", "x").Describe());
    }

    /// <summary>This machine, as it is: the detected paths must hold the files of their controllers.</summary>
    [Fact]
    public void Detect_on_this_host_matches_the_cgroup_files()
    {
        var layout = CgroupLayoutDetector.Detect(HostRoot.Create());

        Assert.EndsWith("/1/mountinfo", layout.Source, StringComparison.Ordinal);
        if (File.Exists("/sys/fs/cgroup/cgroup.controllers"))
        {
            Assert.Equal(CgroupMode.V2, layout.Mode);
            Assert.Equal("/sys/fs/cgroup", layout.Unified);
            return;
        }
        Assert.True(File.Exists(System.IO.Path.Join(layout.V1("cpuacct"), "cpuacct.usage")));
        Assert.True(File.Exists(System.IO.Path.Join(layout.V1("cpu"), "cpu.shares")));
        Assert.True(File.Exists(System.IO.Path.Join(layout.V1("memory"), "memory.usage_in_bytes")));
        Assert.True(File.Exists(System.IO.Path.Join(layout.V1("blkio"), "blkio.throttle.io_service_bytes_recursive")));
        if (layout.Mode == CgroupMode.Hybrid)
        {
            Assert.True(File.Exists(System.IO.Path.Join(layout.Unified, "cgroup.controllers")));
        }
        else
        {
            Assert.Equal(CgroupMode.V1, layout.Mode);
            Assert.False(Directory.Exists("/sys/fs/cgroup/unified"));
        }
    }
}

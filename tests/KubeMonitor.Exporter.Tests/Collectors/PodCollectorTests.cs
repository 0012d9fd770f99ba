using KubeMonitor.Exporter.Cgroups;
using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Collectors;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Tests.Cgroups;
using Microsoft.Extensions.Time.Testing;
using static KubeMonitor.Exporter.Tests.Cgroups.CgroupFixtures;

namespace KubeMonitor.Exporter.Tests.Collectors;

public sealed class PodCollectorTests
{
    private const string Uid1 = "0b6e7c1a-2d3f-4e5a-8b9c-0d1e2f3a4b5c";
    private const string Uid2 = "5f4e3d2c-1b0a-4c9d-8e7f-6a5b4c3d2e1f";
    private const string Id1 = "1111111111111111111111111111111111111111111111111111111111111111";
    private const string Id2 = "2222222222222222222222222222222222222222222222222222222222222222";
    private const string Id3 = "3333333333333333333333333333333333333333333333333333333333333333";

    private static NodeSnapshot Collect(PodCollector collector)
    {
        var snapshot = new NodeSnapshot { NodeName = "node-1", Timestamp = DateTimeOffset.UnixEpoch };
        collector.Collect(snapshot);
        return snapshot;
    }

    private static PodCollector FixtureCollector(string fixtureRoot)
    {
        var root = CgroupFixtures.Path(fixtureRoot);
        var host = HostRoot.Create(System.IO.Path.Join(root, "proc"), System.IO.Path.Join(root, "sys"));
        return new PodCollector(host, CgroupLayoutDetector.Detect(host));
    }

    private static void AssertAllNull(CgroupStats stats)
    {
        Assert.Null(stats.CpuUsageSeconds);
        Assert.Null(stats.MemoryUsageBytes);
        Assert.Null(stats.MemoryWorkingSetBytes);
        Assert.Null(stats.DiskReadBytes);
        Assert.Null(stats.CpuPeriods);
        Assert.Null(stats.OomKills);
        Assert.Null(stats.CpuPressure);
    }

    [Fact]
    public void Amzn2_fixture_v1_container_numbers()
    {
        var pod = Assert.Single(Collect(FixtureCollector("cgroup-v1/amzn2-eks-kubepods")).Pods!);

        Assert.Equal(Amzn2PodUid, pod.Uid);
        Assert.Equal("burstable", pod.QosClass);
        AssertAllNull(pod.Stats);       // the fixture has no files at the pod level: absent, not 0
        Assert.Null(pod.Network);       // and no cgroup.procs
        var container = Assert.Single(pod.Containers);
        Assert.Equal(Amzn2ContainerId, container.Id);
        Assert.Equal("containerd", container.Runtime);
        var s = container.Stats;
        Assert.Equal(124659.500367, s.CpuUsageSeconds!.Value, 6);       // cpuacct.usage 124659500367000 ns
        Assert.Equal(0UL, s.CpuPeriods);
        Assert.Equal(0UL, s.CpuThrottledPeriods);
        Assert.Equal(0.0, s.CpuThrottledSeconds);
        Assert.Equal(1215860736UL, s.MemoryUsageBytes);
        Assert.Equal(1137303552UL, s.MemoryWorkingSetBytes);            // 1215860736 - total_inactive_file 78557184
        Assert.Equal(1119465472UL, s.MemoryRssBytes);
        Assert.Equal(78397440UL, s.MemoryCacheBytes);
        Assert.Equal(0UL, s.MemoryActiveFileBytes);
        Assert.Equal(78557184UL, s.MemoryInactiveFileBytes);
        Assert.Equal(3448832UL, s.DiskReadBytes);
        Assert.Equal(25203200UL, s.DiskWrittenBytes);
        Assert.Equal(0UL, s.OomKills);
        Assert.Null(s.CpuPressure);                                      // v1 has no PSI per cgroup
        Assert.Null(s.MemoryPressure);
        Assert.Null(s.IoPressure);
    }

    [Fact]
    public void Coroot_fixture_v2_container_numbers()
    {
        var pod = Assert.Single(Collect(FixtureCollector("cgroup-v2/coroot-kubepods-besteffort")).Pods!);

        Assert.Equal(CorootV2PodUid, pod.Uid);
        Assert.Equal("besteffort", pod.QosClass);
        AssertAllNull(pod.Stats);
        var container = Assert.Single(pod.Containers);
        Assert.Equal("docker", container.Runtime);
        var s = container.Stats;
        Assert.Equal(3795.681254, s.CpuUsageSeconds!.Value, 6);          // usage_usec 3795681254
        Assert.Equal(809036UL, s.CpuPeriods);
        Assert.Equal(76UL, s.CpuThrottledPeriods);
        Assert.Equal(0.363166, s.CpuThrottledSeconds!.Value, 6);
        Assert.Equal(48648192UL, s.MemoryUsageBytes);
        Assert.Equal(48488448UL, s.MemoryWorkingSetBytes);               // 48648192 - inactive_file 159744
        Assert.Equal(44892160UL, s.MemoryRssBytes);                      // anon
        Assert.Equal(1044480UL, s.MemoryCacheBytes);                     // file
        Assert.Equal(786432UL, s.MemoryActiveFileBytes);
        Assert.Equal(159744UL, s.MemoryInactiveFileBytes);
        Assert.Equal(44UL, s.DiskReadBytes);
        Assert.Equal(1261076481UL, s.DiskWrittenBytes);
        Assert.Null(s.OomKills);                                         // no memory.events in the fixture
        Assert.Equal(new Pressure(465.907442, 463.529433), Rounded(s.CpuPressure));
        Assert.Equal(new Pressure(6937.313991, 6934.649214), Rounded(s.MemoryPressure));
        Assert.Equal(new Pressure(17657.662684, 17636.951020), Rounded(s.IoPressure));
    }

    private static Pressure? Rounded(Pressure? p) =>
        p is null ? null : new Pressure(Math.Round(p.WaitingSeconds!.Value, 6), Math.Round(p.StalledSeconds!.Value, 6));

    /// <summary>cgroupfs driver on a hybrid host, built from real v1 files, PSI files in the cgroup2 mirror.</summary>
    [Fact]
    public void Hybrid_cgroupfs_reads_v1_controllers_and_v2_pressure_and_the_pod_network()
    {
        using var tree = new TempCgroupTree();
        var pod1 = $"kubepods/burstable/pod{Uid1}";
        var pod2 = $"kubepods/besteffort/pod{Uid2}";
        foreach (var cgroup in new[] { pod1, $"{pod1}/{Id1}", pod2, $"{pod2}/{Id2}" })
        {
            tree.CopyFixtureFiles(Amzn2Cpu, $"cpu,cpuacct/{cgroup}");
            tree.CopyFixtureFiles(Amzn2Memory, $"memory/{cgroup}");
            tree.CopyFixtureFiles(Amzn2Blkio, $"blkio/{cgroup}");
        }
        tree.CopyFixture(CorootV2 + "/cpu.pressure", $"unified/{pod1}");
        tree.CopyFixture(CorootV2 + "/cpu.pressure", $"unified/{pod1}/{Id1}");
        tree.CopyFixture(CorootV2 + "/cpu.stat", $"unified/{pod1}/{Id1}");  // must not be used: v1 has cpuacct
        tree.WriteCgroupFile($"cpu,cpuacct/{pod1}/cgroup.procs", "");        // processes live in containers
        tree.WriteCgroupFile($"cpu,cpuacct/{pod1}/{Id1}/cgroup.procs", "999999\n26231\n");  // the first one ended
        tree.WriteCgroupFile($"cpu,cpuacct/{pod2}/{Id2}/cgroup.procs", "999998\n");
        tree.WriteProcFile("26231/net/dev", Text("proc/procfs-8cpu/26231/net/dev"));
        var host = HostRoot.Create(tree.Proc, tree.Sys);
        var layout = CgroupLayoutDetector.Detect(host);
        Assert.Equal(CgroupMode.Hybrid, layout.Mode);

        var pods = Collect(new PodCollector(host, layout)).Pods!;

        Assert.Equal([Uid1, Uid2], pods.Select(p => p.Uid));
        var first = pods[0];
        Assert.Equal(124659.500367, first.Stats.CpuUsageSeconds!.Value, 6);
        Assert.Equal(1137303552UL, first.Stats.MemoryWorkingSetBytes);
        Assert.Equal(465.907442, first.Stats.CpuPressure!.WaitingSeconds!.Value, 6);
        Assert.Null(first.Stats.MemoryPressure);                        // no such file in the mirror
        Assert.Equal(new NetworkTotals(438, 648), first.Network);       // eth0 of /proc/26231/net/dev; lo left out
        var container = Assert.Single(first.Containers);
        Assert.Equal(Id1, container.Id);
        Assert.Null(container.Runtime);
        Assert.Equal(124659.500367, container.Stats.CpuUsageSeconds!.Value, 6);
        Assert.Equal(465.907442, container.Stats.CpuPressure!.WaitingSeconds!.Value, 6);
        Assert.Null(pods[1].Network);                                   // its only process ended
        Assert.Null(pods[1].Stats.CpuPressure);                         // not mirrored in cgroup2 at all
        Assert.Equal(3448832UL, pods[1].Containers.Single().Stats.DiskReadBytes);
    }

    /// <summary>
    /// cgroup v1 counts an OOM kill only in the killed process's own cgroup (a pod cgroup's
    /// oom_kill stays 0 while its container's counts; checked on this host's kernel), so a v1
    /// pod's kills are its own plus its containers'. v2 counts up the tree and is taken as it is
    /// (<see cref="V2_cri_containerd_pod"/>).
    /// </summary>
    [Fact]
    public void On_cgroup_v1_a_pods_oom_kills_add_up_its_containers()
    {
        using var tree = new TempCgroupTree();
        var pod = $"kubepods/burstable/pod{Uid1}";
        foreach (var cgroup in new[] { pod, $"{pod}/{Id1}", $"{pod}/{Id2}", $"{pod}/{Id3}" })
        {
            tree.CopyFixtureFiles(Amzn2Cpu, $"cpu,cpuacct/{cgroup}");
            tree.CopyFixtureFiles(Amzn2Memory, $"memory/{cgroup}");
        }
        // The real file's shape (oom_kill_disable, under_oom, oom_kill), with kills in two containers.
        tree.WriteCgroupFile($"memory/{pod}/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
        tree.WriteCgroupFile($"memory/{pod}/{Id1}/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
        tree.WriteCgroupFile($"memory/{pod}/{Id2}/memory.oom_control", "oom_kill_disable 0\nunder_oom 1\noom_kill 214\n");
        File.Delete(System.IO.Path.Join(tree.Cgroup, "memory", pod, Id3, "memory.oom_control"));   // unknown: adds nothing
        var host = HostRoot.Create(tree.Proc, tree.Sys);

        var found = Assert.Single(Collect(new PodCollector(host, CgroupLayoutDetector.Detect(host))).Pods!);

        Assert.Equal(218UL, found.Stats.OomKills);
        Assert.Equal([3UL, 214UL, null], found.Containers.Select(c => c.Stats.OomKills));
    }

    /// <summary>
    /// Each pod carries the time its counters were read, not the collection's start: on a busy node
    /// the pods later in the walk are read noticeably later, and rates must divide by real time.
    /// </summary>
    [Fact]
    public void Each_pod_is_stamped_with_the_time_it_was_read()
    {
        using var tree = new TempCgroupTree();
        foreach (var cgroup in new[] { $"kubepods/burstable/pod{Uid1}", $"kubepods/besteffort/pod{Uid2}" })
        {
            tree.CopyFixtureFiles(Amzn2Cpu, $"cpu,cpuacct/{cgroup}");
            tree.CopyFixtureFiles(Amzn2Memory, $"memory/{cgroup}");
        }
        var host = HostRoot.Create(tree.Proc, tree.Sys);
        var start = new DateTimeOffset(2026, 11, 26, 7, 0, 5, TimeSpan.Zero);
        var time = new FakeTimeProvider(start) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(40) };

        var pods = Collect(new PodCollector(host, CgroupLayoutDetector.Detect(host), time)).Pods!;

        Assert.Equal([start, start.AddMilliseconds(40)], pods.Select(p => p.ReadAt!.Value));
    }

    /// <summary>The systemd driver with cri-containerd on cgroup v2 (the fixtures only have a docker scope).</summary>
    [Fact]
    public void V2_cri_containerd_pod()
    {
        using var tree = new TempCgroupTree();
        tree.WriteCgroupFile("cgroup.controllers", "cpuset cpu io memory pids\n");
        var pod = $"kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{Uid1.Replace('-', '_')}.slice";
        tree.CopyFixtureFiles(ElasticSlice, pod);
        tree.CopyFixtureFiles(CorootV2, $"{pod}/cri-containerd-{Id1}.scope");
        tree.WriteCgroupFile($"{pod}/memory.events", "low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\noom_group_kill 0\n");
        var host = HostRoot.Create(tree.Proc, tree.Sys);

        var found = Assert.Single(Collect(new PodCollector(host, CgroupLayoutDetector.Detect(host))).Pods!);

        Assert.Equal(Uid1, found.Uid);
        Assert.Equal(738173.847375, found.Stats.CpuUsageSeconds!.Value, 6);          // the pod's own cpu.stat
        Assert.Equal(4978024448UL, found.Stats.MemoryWorkingSetBytes);               // 11583053824 - 6605029376
        Assert.Equal(2UL, found.Stats.OomKills);
        Assert.Equal(29189375488UL, found.Stats.DiskReadBytes);
        Assert.Null(found.Stats.CpuPressure!.StalledSeconds);                         // "some" only
        var container = Assert.Single(found.Containers);
        Assert.Equal("containerd", container.Runtime);
        Assert.Equal(3795.681254, container.Stats.CpuUsageSeconds!.Value, 6);
        Assert.Null(container.Stats.OomKills);
    }

    [Fact]
    public void Working_set_is_never_below_zero()
    {
        Assert.Equal(0UL, CgroupStatsReader.WorkingSet(100, 150));
        Assert.Equal(50UL, CgroupStatsReader.WorkingSet(200, 150));
        Assert.Null(CgroupStatsReader.WorkingSet(null, 150));
        Assert.Null(CgroupStatsReader.WorkingSet(200, null));
    }

    [Fact]
    public void Pods_and_containers_that_vanish_between_discovery_and_reading_are_skipped()
    {
        using var tree = new TempCgroupTree();
        var pod1 = $"kubepods/burstable/pod{Uid1}";
        var pod2 = $"kubepods/burstable/pod{Uid2}";
        foreach (var cgroup in new[] { pod1, $"{pod1}/{Id1}", $"{pod1}/{Id3}", pod2, $"{pod2}/{Id2}" })
        {
            tree.CopyFixtureFiles(Amzn2Cpu, $"cpu,cpuacct/{cgroup}");
            tree.CopyFixtureFiles(Amzn2Memory, $"memory/{cgroup}");
        }
        var host = HostRoot.Create(tree.Proc, tree.Sys);
        var layout = CgroupLayoutDetector.Detect(host);
        var collector = new PodCollector(host, layout)
        {
            Discover = root =>
            {
                var found = KubepodsDiscovery.Discover(root);
                Assert.Equal(2, found.Count);
                foreach (var hierarchy in new[] { "cpu,cpuacct", "memory" })   // the kernel removes them everywhere
                {
                    Directory.Delete(System.IO.Path.Join(tree.Cgroup, hierarchy, pod2), recursive: true);
                    Directory.Delete(System.IO.Path.Join(tree.Cgroup, hierarchy, pod1, Id3), recursive: true);
                }
                return found;
            },
        };

        var snapshot = Collect(collector);

        var pod = Assert.Single(snapshot.Pods!);
        Assert.Equal(Uid1, pod.Uid);
        Assert.Equal(Id1, Assert.Single(pod.Containers).Id);
        Assert.Equal(1215860736UL, pod.Stats.MemoryUsageBytes);
        Assert.Empty(snapshot.ReadErrors); // pods end all the time: not an error
    }

    [Fact]
    public void No_kubepods_is_an_empty_list_not_a_failure()
    {
        using var tree = new TempCgroupTree();
        tree.CgroupDir("cpu,cpuacct/system.slice");
        var host = HostRoot.Create(tree.Proc, tree.Sys);
        var snapshot = Collect(new PodCollector(host, CgroupLayoutDetector.Detect(host)));
        Assert.NotNull(snapshot.Pods);
        Assert.Empty(snapshot.Pods);
    }
}

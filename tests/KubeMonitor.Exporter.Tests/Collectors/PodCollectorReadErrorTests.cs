using System.Text.Json;
using KubeMonitor.Contracts;
using KubeMonitor.Exporter.Cgroups;
using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Collectors;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Metrics;
using KubeMonitor.Exporter.Push;
using KubeMonitor.Exporter.Tests.Cgroups;
using KubeMonitor.Exporter.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static KubeMonitor.Exporter.Tests.Cgroups.CgroupFixtures;

namespace KubeMonitor.Exporter.Tests.Collectors;

/// <summary>
/// One bad file of one pod (or container) costs only that file's values of that pod: two pods
/// built from the same real fixture files, one file of the second one broken, and every other
/// value of both must be what the intact pod has.
/// </summary>
public sealed class PodCollectorReadErrorTests
{
    private const string Uid1 = "0b6e7c1a-2d3f-4e5a-8b9c-0d1e2f3a4b5c";
    private const string Uid2 = "5f4e3d2c-1b0a-4c9d-8e7f-6a5b4c3d2e1f";
    private const string Id1 = "1111111111111111111111111111111111111111111111111111111111111111";
    private const string Id2 = "2222222222222222222222222222222222222222222222222222222222222222";
    private const int Enodev = 19;
    private const int Eopnotsupp = 95;

    private static readonly string[] V1Hierarchies = ["cpu,cpuacct", "memory", "blkio", "unified"];

    private static readonly string[] CpuStatV1Values = [nameof(CgroupStats.CpuPeriods), nameof(CgroupStats.CpuThrottledPeriods), nameof(CgroupStats.CpuThrottledSeconds)];
    private static readonly string[] MemoryStatValues =
    [
        nameof(CgroupStats.MemoryRssBytes), nameof(CgroupStats.MemoryCacheBytes), nameof(CgroupStats.MemoryActiveFileBytes),
        nameof(CgroupStats.MemoryInactiveFileBytes), nameof(CgroupStats.MemoryWorkingSetBytes),
    ];
    private static readonly string[] UsageValues = [nameof(CgroupStats.MemoryUsageBytes), nameof(CgroupStats.MemoryWorkingSetBytes)];
    private static readonly string[] DiskValues = [nameof(CgroupStats.DiskReadBytes), nameof(CgroupStats.DiskWrittenBytes)];

    /// <summary>Hierarchy (relative to the cgroup root), file, broken text, the values it costs.</summary>
    public static TheoryData<string, string, string, string, string[]> V1BrokenFiles() => Levels(
        ("cpu,cpuacct", "cpuacct.usage", "12a\n", [nameof(CgroupStats.CpuUsageSeconds)]),
        ("cpu,cpuacct", "cpu.stat", "nr_periods x\nnr_throttled 0\nthrottled_time 0\n", CpuStatV1Values),
        ("memory", "memory.usage_in_bytes", "\n", UsageValues),
        ("memory", "memory.stat", "total_rss\n", MemoryStatValues),
        ("memory", "memory.oom_control", "oom_kill many\n", [nameof(CgroupStats.OomKills)]),
        ("blkio", "blkio.throttle.io_service_bytes_recursive", "8:0 Read 1\n", DiskValues),
        ("unified", "cpu.pressure", "some avg10=0.00\n", [nameof(CgroupStats.CpuPressure)]));

    public static TheoryData<string, string, string, string, string[]> V2BrokenFiles() => Levels(
        ("", "cpu.stat", "usage_usec\n", [nameof(CgroupStats.CpuUsageSeconds), .. CpuStatV1Values]),
        ("", "memory.current", "max\n", UsageValues),
        ("", "memory.stat", "anon 1 2\n", MemoryStatValues),
        ("", "io.stat", "8:0 rbytes=lots\n", DiskValues),
        ("", "io.pressure", "full\n", [nameof(CgroupStats.IoPressure)]));

    private static TheoryData<string, string, string, string, string[]> Levels(params (string Hierarchy, string File, string Text, string[] Lost)[] cases)
    {
        var data = new TheoryData<string, string, string, string, string[]>();
        foreach (var level in new[] { "pod", "container" })
        {
            foreach (var (hierarchy, file, text, lost) in cases) data.Add(level, hierarchy, file, text, lost);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(V1BrokenFiles))]
    public void V1_a_malformed_file_costs_only_its_own_values_of_that_pod_or_container(string level, string hierarchy, string file, string text, string[] lost)
    {
        using var tree = TwoV1Pods();
        File.WriteAllText(System.IO.Path.Join(tree.Cgroup, hierarchy, V1Path(Uid2, level == "container" ? Id2 : null), file), text);

        var snapshot = Collect(tree);

        AssertOnlyLost(snapshot, level, lost);
        var error = Assert.Single(snapshot.ReadErrors);
        Assert.Equal(file, error.File);
        Assert.Equal(System.IO.Path.Join(tree.Cgroup, hierarchy, V1Path(Uid2, level == "container" ? Id2 : null), file), error.Path);
    }

    [Theory]
    [MemberData(nameof(V2BrokenFiles))]
    public void V2_a_malformed_file_costs_only_its_own_values_of_that_pod_or_container(string level, string hierarchy, string file, string text, string[] lost)
    {
        using var tree = TwoV2Pods();
        File.WriteAllText(System.IO.Path.Join(tree.Cgroup, hierarchy, V2Path(Uid2, level == "container" ? Id2 : null), file), text);

        var snapshot = Collect(tree);

        AssertOnlyLost(snapshot, level, lost);
        Assert.Equal(file, Assert.Single(snapshot.ReadErrors).File);
    }

    /// <summary>
    /// A file missing while its cgroup is there reads as "this kernel has no such file" (a kernel
    /// without PSI, a controller not enabled in that subtree): absent values, not an error.
    /// </summary>
    [Fact]
    public void A_removed_file_leaves_its_values_absent_for_that_container_only_and_is_no_error()
    {
        using var tree = TwoV1Pods();
        File.Delete(System.IO.Path.Join(tree.Cgroup, "memory", V1Path(Uid2, Id2), "memory.stat"));

        var snapshot = Collect(tree);

        AssertOnlyLost(snapshot, "container", MemoryStatValues);
        Assert.Empty(snapshot.ReadErrors);
    }

    [Fact]
    public void A_file_that_cannot_be_opened_is_an_error_that_costs_only_its_values()
    {
        using var tree = TwoV1Pods();
        var memoryStat = System.IO.Path.Join(tree.Cgroup, "memory", V1Path(Uid2, Id2), "memory.stat");
        File.Delete(memoryStat);
        Directory.CreateDirectory(memoryStat); // opening it for reading fails, as an unreadable file does

        var snapshot = Collect(tree);

        AssertOnlyLost(snapshot, "container", MemoryStatValues);
        var error = Assert.Single(snapshot.ReadErrors);
        Assert.Equal(("memory.stat", memoryStat), (error.File, error.Path));
    }

    /// <summary>ENODEV: the kernel's answer when a cgroup file is removed between open and read.</summary>
    [Fact]
    public void A_file_that_vanishes_mid_read_while_its_cgroup_stays_is_an_error_that_costs_only_its_values()
    {
        using var tree = TwoV1Pods();
        var memoryStat = System.IO.Path.Join(tree.Cgroup, "memory", V1Path(Uid2, Id2), "memory.stat");

        var snapshot = Collect(tree, path => path == memoryStat ? throw new IOException("No such device", Enodev) : HostRoot.ReadFile(path));

        AssertOnlyLost(snapshot, "container", MemoryStatValues);
        var error = Assert.Single(snapshot.ReadErrors);
        Assert.Equal("memory.stat", error.File);
        Assert.Contains("vanished", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_vanishes_mid_read_with_its_whole_container_is_the_quiet_gone()
    {
        using var tree = TwoV1Pods();
        var memoryStat = System.IO.Path.Join(tree.Cgroup, "memory", V1Path(Uid2, Id2), "memory.stat");

        var snapshot = Collect(tree, path =>
        {
            if (path != memoryStat) return HostRoot.ReadFile(path);
            foreach (var hierarchy in V1Hierarchies)   // the kernel removes it everywhere
            {
                Directory.Delete(System.IO.Path.Join(tree.Cgroup, hierarchy, V1Path(Uid2, Id2)), recursive: true);
            }
            throw new IOException("No such device", Enodev);
        });

        Assert.Empty(snapshot.ReadErrors);
        Assert.Empty(Pod(snapshot, Uid2).Containers);                 // the container ended
        Assert.Equal(Pod(snapshot, Uid1).Stats.CpuUsageSeconds, Pod(snapshot, Uid2).Stats.CpuUsageSeconds);
        Assert.Single(Pod(snapshot, Uid1).Containers);
    }

    /// <summary>EOPNOTSUPP: a pressure file of a kernel booted with psi=0 (shown before 5.17, unreadable).</summary>
    [Fact]
    public void A_file_whose_data_the_kernel_does_not_provide_is_absent_not_an_error()
    {
        using var tree = TwoV1Pods();
        var cpuPressure = System.IO.Path.Join(tree.Cgroup, "unified", V1Path(Uid2, Id2), "cpu.pressure");

        var snapshot = Collect(tree, path => path == cpuPressure ? throw new IOException("Operation not supported", Eopnotsupp) : HostRoot.ReadFile(path));

        AssertOnlyLost(snapshot, "container", [nameof(CgroupStats.CpuPressure)]);
        Assert.Empty(snapshot.ReadErrors);
    }

    [Fact]
    public void A_malformed_net_dev_or_cgroup_procs_costs_only_that_pods_network()
    {
        using var tree = TwoV1Pods();
        var netDev = Text("proc/procfs-8cpu/26231/net/dev");
        tree.WriteCgroupFile($"cpu,cpuacct/{V1Path(Uid1, Id1)}/cgroup.procs", "101\n");
        tree.WriteProcFile("101/net/dev", netDev.Replace(" 438 ", " 4x8 ", StringComparison.Ordinal)); // garbage in a counter
        tree.WriteCgroupFile($"cpu,cpuacct/{V1Path(Uid2, null)}/cgroup.procs", "not-a-pid\n");
        tree.WriteCgroupFile($"cpu,cpuacct/{V1Path(Uid2, Id2)}/cgroup.procs", "102\n");
        tree.WriteProcFile("102/net/dev", netDev);

        var snapshot = Collect(tree);

        Assert.Null(Pod(snapshot, Uid1).Network);
        Assert.Equal(new NetworkTotals(438, 648), Pod(snapshot, Uid2).Network);   // the container's process, after the pod's broken list
        Assert.Equal(["net/dev", "cgroup.procs"], snapshot.ReadErrors.Select(e => e.File).Order(StringComparer.Ordinal).Reverse());
        Assert.Equal(Pod(snapshot, Uid1).Stats.CpuUsageSeconds, Pod(snapshot, Uid2).Stats.CpuUsageSeconds);
    }

    /// <summary>
    /// Through the runner, /metrics and the push: the lost values are absent from both, the
    /// collector still succeeds, and the error is counted by file name in every collection.
    /// </summary>
    [Fact]
    public async Task Read_errors_are_counted_by_file_and_the_lost_values_are_absent_from_metrics_and_the_batch()
    {
        using var tree = TwoV1Pods();
        File.WriteAllText(System.IO.Path.Join(tree.Cgroup, "memory", V1Path(Uid2, null), "memory.stat"), "total_rss\n");
        var host = HostRoot.Create(tree.Proc, tree.Sys);
        var log = new ListLogger<CollectionRunner>();
        var runner = new CollectionRunner("node-1", [new PodCollector(host, CgroupLayoutDetector.Detect(host))], new FakeTimeProvider(), log,
            [snapshot => { foreach (var pod in snapshot.Pods!) pod.Metadata = new PodMetadata("pod-" + pod.Uid[..4], "ns", pod.Uid, null, null, null, new Dictionary<string, string>()); }]);
        var metrics = new ExporterMetrics(Prometheus.Metrics.NewCustomRegistry());

        var first = runner.Collect();
        metrics.Publish(first);
        metrics.Publish(runner.Collect());

        Assert.True(Assert.Single(first.Collectors).Success);
        var text = await Exposition.TextAsync(metrics.Registry);
        Assert.Contains("kubemonitor_exporter_read_errors_total{file=\"memory.stat\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_pod_memory_working_set_bytes{namespace=\"ns\",pod=\"pod-0b6e\",node=\"node-1\"}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("kubemonitor_pod_memory_working_set_bytes{namespace=\"ns\",pod=\"pod-5f4e\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("kubemonitor_pod_memory_rss_bytes{namespace=\"ns\",pod=\"pod-5f4e\"", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_pod_memory_usage_bytes{namespace=\"ns\",pod=\"pod-5f4e\",node=\"node-1\"} 1215860736\n", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_pod_cpu_usage_seconds_total{namespace=\"ns\",pod=\"pod-5f4e\",node=\"node-1\"}", text, StringComparison.Ordinal);
        // Logged once, not once per collection.
        Assert.Single(log.Entries, e => e.Message.Contains("memory.stat", StringComparison.Ordinal) && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);

        var batch = JsonSerializer.Deserialize(
            JsonSerializer.SerializeToUtf8Bytes(BatchMapper.Map(first.Snapshot).Batch, ContractJson.Default.Batch), ContractJson.Default.Batch)!;
        var broken = batch.Pods!.Single(p => p.Uid == Uid2).Memory!;
        Assert.Equal(1215860736.0, broken.UsageBytes);
        Assert.Null(broken.WorkingSetBytes);
        Assert.Equal(1137303552.0, batch.Pods!.Single(p => p.Uid == Uid1).Memory!.WorkingSetBytes);
    }

    private static string V1Path(string uid, string? containerId) =>
        $"kubepods/burstable/pod{uid}" + (containerId is null ? "" : "/" + containerId);

    private static string V2Path(string uid, string? containerId)
    {
        var pod = $"kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{uid.Replace('-', '_')}.slice";
        return containerId is null ? pod : $"{pod}/cri-containerd-{containerId}.scope";
    }

    /// <summary>A hybrid host (cgroupfs driver) with two identical pods of one container each, from real v1 files and real PSI files.</summary>
    private static TempCgroupTree TwoV1Pods()
    {
        var tree = new TempCgroupTree();
        foreach (var cgroup in new[] { V1Path(Uid1, null), V1Path(Uid1, Id1), V1Path(Uid2, null), V1Path(Uid2, Id2) })
        {
            tree.CopyFixtureFiles(Amzn2Cpu, $"cpu,cpuacct/{cgroup}");
            tree.CopyFixtureFiles(Amzn2Memory, $"memory/{cgroup}");
            tree.CopyFixtureFiles(Amzn2Blkio, $"blkio/{cgroup}");
            tree.CopyFixture(CorootV2 + "/cpu.pressure", $"unified/{cgroup}");
        }
        return tree;
    }

    /// <summary>A cgroup v2 host (systemd driver, containerd) with two identical pods of one container each, from real v2 files.</summary>
    private static TempCgroupTree TwoV2Pods()
    {
        var tree = new TempCgroupTree();
        tree.WriteCgroupFile("cgroup.controllers", "cpuset cpu io memory pids\n");
        foreach (var cgroup in new[] { V2Path(Uid1, null), V2Path(Uid1, Id1), V2Path(Uid2, null), V2Path(Uid2, Id2) })
        {
            tree.CopyFixtureFiles(CorootV2, cgroup);
        }
        return tree;
    }

    private static NodeSnapshot Collect(TempCgroupTree tree, Func<string, string>? readFile = null)
    {
        var host = HostRoot.Create(tree.Proc, tree.Sys);
        var layout = CgroupLayoutDetector.Detect(host);
        var collector = readFile is null
            ? new PodCollector(host, layout)
            : new PodCollector(host, layout) { Reader = new CgroupStatsReader(layout) { ReadFile = readFile } };
        var snapshot = new NodeSnapshot { NodeName = "node-1", Timestamp = DateTimeOffset.UnixEpoch };
        collector.Collect(snapshot);
        Assert.Equal(2, snapshot.Pods!.Count); // the broken pod is still there
        return snapshot;
    }

    private static PodSnapshot Pod(NodeSnapshot snapshot, string uid) => Assert.Single(snapshot.Pods!, p => p.Uid == uid);

    /// <summary>
    /// The second pod (at <paramref name="level"/>) lost exactly <paramref name="lost"/>, which the
    /// first pod has; every other value of both pods and their containers is the same.
    /// </summary>
    private static void AssertOnlyLost(NodeSnapshot snapshot, string level, string[] lost)
    {
        var (intact, broken) = (Pod(snapshot, Uid1), Pod(snapshot, Uid2));
        var intactContainer = Assert.Single(intact.Containers).Stats;
        var brokenContainer = Assert.Single(broken.Containers).Stats;
        AssertLost(intact.Stats, broken.Stats, level == "pod" ? lost : []);
        AssertLost(intactContainer, brokenContainer, level == "container" ? lost : []);
    }

    private static void AssertLost(CgroupStats intact, CgroupStats broken, string[] lost)
    {
        foreach (var property in typeof(CgroupStats).GetProperties())
        {
            var expected = property.GetValue(intact);
            var actual = property.GetValue(broken);
            if (lost.Contains(property.Name))
            {
                Assert.True(expected is not null, $"{property.Name}: the intact pod has no value, so losing it proves nothing");
                Assert.True(actual is null, $"{property.Name} should be lost, is {actual}");
            }
            else
            {
                Assert.True(Equals(expected, actual), $"{property.Name}: {actual}, the intact pod has {expected}");
            }
        }
    }
}

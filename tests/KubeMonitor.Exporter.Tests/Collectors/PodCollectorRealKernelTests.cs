using System.Diagnostics;
using KubeMonitor.Exporter.Cgroups;
using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Collectors;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Tests.Cgroups;
using KubeMonitor.TestSupport;
using Xunit.Abstractions;

namespace KubeMonitor.Exporter.Tests.Collectors;

/// <summary>
/// Real kernel, real cgroups (as root): pod-shaped cgroups on this machine, stress-ng --cpu 1
/// inside the container, and the pod's CPU counter read by <see cref="PodCollector"/> must rise by
/// 1.0 core-second per second within 5 %, measured over the wall time between two collections.
/// </summary>
[Collection(RealLoad.Name)]
public sealed class PodCollectorRealKernelTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    // The timeout ends stress-ng even if this test process dies before its cleanup.
    private static readonly string[] OneCoreOfLoad = ["stress-ng", "--cpu", "1", "--timeout", "60s", "--quiet"];

    [Fact]
    public void Cgroupfs_pod_under_the_v1_controllers()
    {
        var host = HostRoot.Create();
        var layout = CgroupLayoutDetector.Detect(host);
        output.WriteLine(layout.Describe());
        Assert.NotEqual(CgroupMode.V2, layout.Mode); // this test is about v1 controllers (this host is hybrid)

        using var pod = PodCgroups.Cgroupfs(layout);
        pod.GiveCpuPriority();
        pod.StartInContainer(OneCoreOfLoad);
        var (first, last) = MeasureOverWindow(new PodCollector(host, layout), pod);

        AssertOneCore(first, last, p => p.Stats, "pod");
        AssertOneCore(first, last, p => p.Containers.Single().Stats, "container");
        var container = Assert.Single(last.Pod.Containers);
        Assert.Equal(pod.ContainerId, container.Id);
        Assert.Null(container.Runtime);
        Assert.Equal("burstable", last.Pod.QosClass);
        Assert.True(container.Stats.MemoryUsageBytes > 0, "stress-ng's memory is charged to the container's memory cgroup");
        Assert.True(container.Stats.MemoryWorkingSetBytes <= container.Stats.MemoryUsageBytes);
        Assert.Equal(0UL, container.Stats.CpuPeriods); // no CFS quota, so no enforcement periods
        Assert.NotNull(container.Stats.OomKills);
        Assert.NotNull(container.Stats.DiskReadBytes);
        Assert.NotNull(last.Pod.Network);              // from /proc/<stress-ng pid>/net/dev
        if (layout.Mode == CgroupMode.Hybrid)
        {
            // The cgroup2 mirror gives pressure, which v1 cannot.
            Assert.NotNull(container.Stats.CpuPressure);
            Assert.True(container.Stats.CpuPressure!.WaitingSeconds >= first.Pod.Containers.Single().Stats.CpuPressure!.WaitingSeconds);
        }
    }

    [Fact]
    public void Systemd_cri_containerd_pod_in_the_cgroup2_tree()
    {
        var host = HostRoot.Create();
        var hostLayout = CgroupLayoutDetector.Detect(host);
        var unified = hostLayout.Unified;
        Assert.NotNull(unified); // this host mounts cgroup2 (at /sys/fs/cgroup/unified, hybrid)
        // Read that tree as a pure v2 host would: everything from the unified hierarchy. Here it has
        // no cpu controller enabled, yet cpu.stat usage_usec counts (core accounting).
        var layout = CgroupLayout.V2(unified, "the cgroup2 mount of this host");

        // Made like systemd makes it on this host: in the cgroup2 tree and in each v1 controller
        // (where cpu.shares lets the load own its core on this hybrid host).
        using var pod = PodCgroups.Systemd(hostLayout);
        pod.GiveCpuPriority();
        pod.StartInContainer(OneCoreOfLoad);
        var (first, last) = MeasureOverWindow(new PodCollector(host, layout), pod);

        AssertOneCore(first, last, p => p.Stats, "pod");
        AssertOneCore(first, last, p => p.Containers.Single().Stats, "container");
        var container = Assert.Single(last.Pod.Containers);
        Assert.Equal(pod.ContainerId, container.Id);
        Assert.Equal("containerd", container.Runtime);
        Assert.NotNull(last.Pod.Network);
        // A value whose file this kernel's tree does not have is absent, not 0.
        var memoryCurrent = File.Exists(Path.Join(unified, pod.ContainerPath, "memory.current"));
        Assert.Equal(memoryCurrent, container.Stats.MemoryUsageBytes is not null);
        var throttling = File.ReadAllText(Path.Join(unified, pod.ContainerPath, "cpu.stat")).Contains("nr_periods", StringComparison.Ordinal);
        Assert.Equal(throttling, container.Stats.CpuPeriods is not null);
        Assert.NotNull(container.Stats.CpuPressure);
    }

    /// <summary>
    /// Real kernel events that cost one container some or all of its values and nothing else:
    /// its pressure files vanish (cgroup.pressure set to 0 hides them, the cgroup stays), and
    /// another container's cgroup is removed between discovery and reading (it ended).
    /// </summary>
    [Fact]
    public void Vanishing_files_and_cgroups_of_one_container_cost_only_that_container()
    {
        var host = HostRoot.Create();
        var hostLayout = CgroupLayoutDetector.Detect(host);
        Assert.NotNull(hostLayout.Unified); // pressure per cgroup lives in the cgroup2 tree
        var layout = CgroupLayout.V2(hostLayout.Unified, "the cgroup2 mount of this host");
        using var intact = PodCgroups.Systemd(hostLayout);
        using var hidden = PodCgroups.Systemd(hostLayout);
        using var ending = PodCgroups.Systemd(hostLayout);
        var pressureSwitch = Path.Join(layout.Unified, hidden.ContainerPath, "cgroup.pressure");
        Assert.True(File.Exists(pressureSwitch), "this kernel has no per-cgroup cgroup.pressure (Linux 6.1+)");
        File.WriteAllText(pressureSwitch, "0");
        Assert.False(File.Exists(Path.Join(layout.Unified, hidden.ContainerPath, "cpu.pressure")));
        var collector = new PodCollector(host, layout)
        {
            Discover = root =>
            {
                var found = KubepodsDiscovery.Discover(root);
                foreach (var hierarchy in ending.Hierarchies) Directory.Delete(Path.Join(hierarchy, ending.ContainerPath));
                return found;
            },
        };
        var snapshot = new NodeSnapshot { NodeName = "node-1", Timestamp = DateTimeOffset.UtcNow };

        collector.Collect(snapshot);

        PodSnapshot Pod(PodCgroups pod) => Assert.Single(snapshot.Pods!, p => p.Uid == pod.PodUid);
        var hiddenContainer = Assert.Single(Pod(hidden).Containers).Stats;
        Assert.Null(hiddenContainer.CpuPressure);
        Assert.Null(hiddenContainer.MemoryPressure);
        Assert.Null(hiddenContainer.IoPressure);
        Assert.NotNull(hiddenContainer.CpuUsageSeconds);        // its other files are read as always
        Assert.NotNull(Pod(hidden).Stats.CpuPressure);           // and its pod's own files too
        Assert.NotNull(Assert.Single(Pod(intact).Containers).Stats.CpuPressure);
        Assert.Empty(Pod(ending).Containers);                    // the container that ended is left out
        Assert.NotNull(Pod(ending).Stats.CpuUsageSeconds);       // its pod is not
        Assert.Empty(snapshot.ReadErrors);                       // absent files and ended cgroups are no errors
    }

    /// <param name="LoadCpuSeconds">What the scheduler itself counted for the container's processes (/proc/&lt;pid&gt;/schedstat).</param>
    [Fact]
    public void Cfs_quota_throttling_is_counted()
    {
        var host = HostRoot.Create();
        var layout = CgroupLayoutDetector.Detect(host);
        using var pod = PodCgroups.Cgroupfs(layout);
        pod.LimitCpu(quotaMicroseconds: 10_000); // a tenth of a core for a worker that wants a whole one
        pod.StartInContainer(OneCoreOfLoad);
        var collector = new PodCollector(host, layout);

        var stats = WaitFor(collector, pod, s => s.CpuThrottledPeriods > 2, "throttled periods");

        Assert.True(stats.CpuPeriods >= stats.CpuThrottledPeriods);
        Assert.True(stats.CpuThrottledSeconds > 0);
    }

    [Fact]
    public void Oom_kills_are_counted()
    {
        var host = HostRoot.Create();
        var layout = CgroupLayoutDetector.Detect(host);
        Assert.NotNull(layout.V1("memory")); // the cgroup2 tree of this hybrid host has no memory controller
        using var pod = PodCgroups.Cgroupfs(layout);
        pod.LimitMemory(32L << 20);
        // stress-ng restarts a vm worker the OOM killer ends, so kills keep coming.
        pod.StartInContainer("stress-ng", "--vm", "1", "--vm-bytes", "256M", "--timeout", "60s", "--quiet");
        var collector = new PodCollector(host, layout);

        var stats = WaitFor(collector, pod, s => s.OomKills > 0, "an OOM kill");

        Assert.True(stats.MemoryUsageBytes <= 32UL << 20);
    }

    /// <summary>Collects until the container's numbers satisfy the condition (polling, at most 20 s).</summary>
    private static CgroupStats WaitFor(PodCollector collector, PodCgroups pod, Func<CgroupStats, bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            // Only the collector's view: the OOM killer may end a pid before its schedstat is read.
            var stats = CollectPod(collector, pod).Containers.Single().Stats;
            if (condition(stats)) return stats;
            if (clock.Elapsed > TimeSpan.FromSeconds(20)) Assert.Fail($"No {what} counted within 20 s.");
            Thread.Sleep(200);
        }
    }

    private sealed record Sample(double Seconds, PodSnapshot Pod, double LoadCpuSeconds);

    private (Sample First, Sample Last) MeasureOverWindow(PodCollector collector, PodCgroups pod)
    {
        Thread.Sleep(TimeSpan.FromSeconds(1)); // stress-ng forks its worker
        var first = Collect(collector, pod);
        Thread.Sleep(Window);
        var last = Collect(collector, pod);
        output.WriteLine($"window {last.Seconds - first.Seconds:F3} s");
        return (first, last);
    }

    /// <summary>The pod as collected, timed at the middle of the collection.</summary>
    private static Sample Collect(PodCollector collector, PodCgroups pod)
    {
        var before = Stopwatch.GetTimestamp();
        var collected = CollectPod(collector, pod);
        var after = Stopwatch.GetTimestamp();
        var load = pod.ContainerPids().Sum(SchedulerCpuSeconds);
        return new Sample((before + after) / 2.0 / Stopwatch.Frequency, collected, load);
    }

    private static PodSnapshot CollectPod(PodCollector collector, PodCgroups pod)
    {
        var snapshot = new NodeSnapshot { NodeName = "node-1", Timestamp = DateTimeOffset.UtcNow };
        collector.Collect(snapshot);
        return Assert.Single(snapshot.Pods!, p => p.Uid == pod.PodUid);
    }

    /// <summary>First field of /proc/&lt;pid&gt;/schedstat: ns the task ran.</summary>
    private static double SchedulerCpuSeconds(int pid) =>
        double.Parse(File.ReadAllText($"/proc/{pid}/schedstat").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1e9;

    private void AssertOneCore(Sample first, Sample last, Func<PodSnapshot, CgroupStats> stats, string what)
    {
        var wall = last.Seconds - first.Seconds;
        var cores = (stats(last.Pod).CpuUsageSeconds!.Value - stats(first.Pod).CpuUsageSeconds!.Value) / wall;
        var loadCores = (last.LoadCpuSeconds - first.LoadCpuSeconds) / wall;
        output.WriteLine($"{what}: {cores:F4} cores by the exporter; stress-ng ran {loadCores:F4} cores by its schedstat");
        // The exporter's counter is what the scheduler charged the processes...
        Assert.InRange(cores, loadCores * 0.95, loadCores * 1.05);
        // ...and that is one core, unless this machine was too busy to give stress-ng its core.
        Assert.True(cores is >= 0.95 and <= 1.05,
            $"{what}: {cores:F4} cores, expected 1.0 +- 5 %; stress-ng itself ran {loadCores:F4} cores in the window (below 0.95 means the machine was overloaded).");
    }
}

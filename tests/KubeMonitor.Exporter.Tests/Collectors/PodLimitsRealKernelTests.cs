using System.Diagnostics;
using KubeMonitor.Contracts;
using KubeMonitor.Exporter.Cgroups;
using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Collectors;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Kubernetes;
using KubeMonitor.Exporter.Metrics;
using KubeMonitor.Exporter.Push;
using KubeMonitor.Exporter.Tests.Cgroups;
using KubeMonitor.Exporter.Tests.Support;
using KubeMonitor.TestSupport;
using Xunit.Abstractions;

namespace KubeMonitor.Exporter.Tests.Collectors;

/// <summary>
/// Real kernel, real cgroups (as root): a pod limited as the kubelet limits one (the quota or the
/// memory limit on the pod cgroup and on its container), real load from stress-ng, and the pod's
/// numbers as the exporter sends them (the batch) and serves them (/metrics): the pod cgroup's
/// own counters, named through the metadata join.
/// </summary>
[Collection(RealLoad.Name)]
public sealed class PodLimitsRealKernelTests(ITestOutputHelper output)
{
    private const string Namespace = "shop";
    private const string PodName = "web-7c9f8d6b5-x2x4q";

    private sealed record Reading(double Seconds, PodSample Pod, string Metrics);

    /// <summary>A 500m CPU limit and two workers that each want a whole core: every period ends throttled.</summary>
    [Fact]
    public async Task A_half_core_quota_with_two_busy_workers_is_throttled_in_nearly_every_period()
    {
        var (host, layout) = Host();
        using var pod = PodCgroups.Cgroupfs(layout);
        pod.LimitCpu(quotaMicroseconds: 50_000, periodMicroseconds: 100_000, alsoPod: true);
        pod.StartInContainer("stress-ng", "--cpu", "2", "--timeout", "60s", "--quiet");
        var exporter = new Exporter(host, layout, pod, new RequestsAndLimits(0.5, 0.5, null, null));
        Thread.Sleep(TimeSpan.FromSeconds(1)); // stress-ng forks its workers

        var first = await exporter.ReadAsync();
        Thread.Sleep(TimeSpan.FromSeconds(5));
        var last = await exporter.ReadAsync();

        var wall = last.Seconds - first.Seconds;
        double Delta(Func<CpuSection, double?> value) => value(last.Pod.Cpu!)!.Value - value(first.Pod.Cpu!)!.Value;
        double ContainerDelta(Func<CpuSection, double?> value) => value(last.Pod.Containers![0].Cpu!)!.Value - value(first.Pod.Containers![0].Cpu!)!.Value;
        var periods = Delta(c => c.PeriodsTotal);
        var throttledPeriods = Delta(c => c.ThrottledPeriodsTotal);
        var containerThrottledPeriods = ContainerDelta(c => c.ThrottledPeriodsTotal);
        var cores = Delta(c => c.UsageSecondsTotal) / wall;
        var throttledPerSecond = Delta(c => c.ThrottledSecondsTotal) / wall;
        var containerThrottledPerSecond = ContainerDelta(c => c.ThrottledSecondsTotal) / wall;
        output.WriteLine(
            $"{wall:F3} s: {periods} periods, throttled {throttledPeriods} (pod) and {containerThrottledPeriods} (container), {cores:F3} cores, " +
            $"{throttledPerSecond:F3} (pod) and {containerThrottledPerSecond:F3} (container) throttled s/s");

        // One 100 ms period after another while the workers run: about 10 per second.
        Assert.InRange(periods / wall, 9, 11);
        // The pod and its container carry the same quota (as the kubelet sets them) and either may run
        // out first, so each period's throttling lands in one or the other (CI once saw the pod take
        // 20 of 50): their sum is what the quota costs, in periods as in time.
        Assert.True(throttledPeriods + containerThrottledPeriods >= 0.9 * periods,
            $"{throttledPeriods} (pod) + {containerThrottledPeriods} (container) of {periods} periods throttled, expected nearly all");
        // The quota caps the pod at half a core (limit utilization near 1)...
        Assert.InRange(cores, 0.45, 0.55);
        // ...and the group waits for the next period most of each.
        Assert.True(throttledPerSecond + containerThrottledPerSecond > 0.3,
            $"{throttledPerSecond:F3} (pod) + {containerThrottledPerSecond:F3} (container) throttled seconds per second");
        Assert.Equal(new ResourcesSection { CpuRequestCores = 0.5, CpuLimitCores = 0.5 }, last.Pod.Resources);
        var container = Assert.Single(last.Pod.Containers!);
        Assert.True(container.Cpu!.ThrottledPeriodsTotal > 0);

        // /metrics serves the same pod counters as the batch carries.
        Assert.Contains($"kubemonitor_pod_cpu_periods_total{{namespace=\"{Namespace}\",pod=\"{PodName}\",node=\"node-1\"}} {last.Pod.Cpu!.PeriodsTotal}\n", last.Metrics, StringComparison.Ordinal);
        Assert.Contains($"kubemonitor_pod_cpu_throttled_periods_total{{namespace=\"{Namespace}\",pod=\"{PodName}\",node=\"node-1\"}} {last.Pod.Cpu.ThrottledPeriodsTotal}\n", last.Metrics, StringComparison.Ordinal);
        Assert.Contains($"kubemonitor_container_cpu_limit_cores{{namespace=\"{Namespace}\",pod=\"{PodName}\",container=\"app\",node=\"node-1\"}} 0.5\n", last.Metrics, StringComparison.Ordinal);
    }

    /// <summary>A 32 MiB memory limit and a worker that wants 256 MiB: the OOM killer ends it, stress-ng starts another.</summary>
    [Fact]
    public async Task A_worker_pushed_past_the_memory_limit_is_an_oom_kill_of_the_pod()
    {
        var (host, layout) = Host();
        using var pod = PodCgroups.Cgroupfs(layout);
        pod.LimitMemory(32L << 20, alsoPod: true);
        var exporter = new Exporter(host, layout, pod, new RequestsAndLimits(null, null, 32L << 20, 32L << 20));
        var before = await exporter.ReadAsync();
        Assert.Equal(0, before.Pod.Memory!.OomKillsTotal);

        pod.StartInContainer("stress-ng", "--vm", "1", "--vm-bytes", "256M", "--timeout", "60s", "--quiet");
        var clock = Stopwatch.StartNew();
        var after = await exporter.ReadAsync();
        while (!(after.Pod.Memory!.OomKillsTotal > 0))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(20)) Assert.Fail("No OOM kill of the pod within 20 s.");
            Thread.Sleep(200);
            after = await exporter.ReadAsync();
        }

        var kills = after.Pod.Memory.OomKillsTotal!.Value;
        output.WriteLine($"{kills} OOM kills after {clock.Elapsed.TotalSeconds:F1} s ({layout.Describe()})");
        var container = Assert.Single(after.Pod.Containers!);
        Assert.True(container.Memory!.OomKillsTotal > 0);
        Assert.True(kills >= container.Memory.OomKillsTotal); // the pod's count holds its containers'
        Assert.True(after.Pod.Memory.WorkingSetBytes <= 32L << 20);
        Assert.Equal(32L << 20, after.Pod.Resources!.MemoryLimitBytes);
        Assert.Matches($"kubemonitor_pod_oom_kills_total{{namespace=\"{Namespace}\",pod=\"{PodName}\",node=\"node-1\"}} [1-9][0-9]*\n", after.Metrics);
    }

    private static (HostRoot Host, CgroupLayout Layout) Host()
    {
        var host = HostRoot.Create();
        return (host, CgroupLayoutDetector.Detect(host));
    }

    /// <summary>
    /// The exporter's pipeline for one pod: the pod collector, the metadata join (the pod named as
    /// the API would name it, with the given limits on its one container), and both sinks.
    /// </summary>
    private sealed class Exporter
    {
        private readonly CollectionRunner _runner;
        private readonly ExporterMetrics _metrics = new(Prometheus.Metrics.NewCustomRegistry());
        private readonly string _uid;

        public Exporter(HostRoot host, CgroupLayout layout, PodCgroups pod, RequestsAndLimits limits)
        {
            _uid = pod.PodUid;
            var cache = new PodMetadataCache();
            cache.Set(pod.PodUid, new PodMetadata(PodName, Namespace, pod.PodUid, "ReplicaSet", "web-7c9f8d6b5", "web",
                new Dictionary<string, string> { [pod.ContainerId] = "app" })
            {
                Labels = new Dictionary<string, string> { ["app"] = "web" },
                Containers = [new ContainerResources("app", limits)],
                Resources = RequestsAndLimits.SumOf([limits]),
            });
            _runner = new CollectionRunner("node-1", [new PodCollector(host, layout)], TimeProvider.System,
                new ListLogger<CollectionRunner>(), [cache.Annotate]);
        }

        public async Task<Reading> ReadAsync()
        {
            var before = Stopwatch.GetTimestamp();
            var result = _runner.Collect();
            var after = Stopwatch.GetTimestamp();
            _metrics.Publish(result);
            var pod = Assert.Single(BatchMapper.Map(result.Snapshot).Batch.Pods!, p => p.Uid == _uid);
            return new Reading((before + after) / 2.0 / Stopwatch.Frequency, pod, await Exposition.TextAsync(_metrics.Registry));
        }
    }
}

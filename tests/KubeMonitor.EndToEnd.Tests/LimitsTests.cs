using System.Text.Json.Nodes;
using KubeMonitor.EndToEnd.Tests.Support;
using static KubeMonitor.EndToEnd.Tests.EndToEndEnvironment;

namespace KubeMonitor.EndToEnd.Tests;

public sealed partial class EndToEndTests
{
    private const int LimitLoadSeconds = 12;

    /// <summary>
    /// docs/api.md section 6: a pod limited to half a core (500m in its spec, the CFS quota on its
    /// pod and container cgroups) whose two workers each want a whole core uses all of its limit
    /// and is throttled in nearly every period, in the pod's view and in its container's.
    /// </summary>
    [Fact]
    public async Task A_pod_at_its_cpu_limit_uses_all_of_it_and_is_throttled_nearly_every_period()
    {
        var pod = env.CpuLimited;
        using var stress = pod.Start("stress-ng", "--cpu", "2", "--timeout", "60s", "--quiet");
        try
        {
            // The load counts from the first sample that shows the throttling (stress-ng can take
            // seconds to start on a busy host).
            var loaded = await Eventually.Until(async () =>
                await env.PodAsync(pod) is var view && Number(view, "cpu", "throttledPeriodsRatio") >= 0.5 ? view : null,
                TimeSpan.FromSeconds(20), "the throttling to show in the pod", () => env.Diagnostics);
            var started = Timestamp(loaded);
            var latest = await env.PodAfterAsync(pod, started.AddSeconds(LimitLoadSeconds));
            var end = Timestamp(latest);
            var series = await env.PodAsync(pod, "&window=30");

            var samples = Points(series).Count(p => Timestamp(p) > started && Timestamp(p) <= end);
            Assert.True(samples >= LimitLoadSeconds / Interval.TotalSeconds / 2, $"Only {samples} samples in {LimitLoadSeconds} s of load.\n{env.Diagnostics}");
            double Mean(string field) => MeanRate(series, "cpu", field, started, end);
            double ContainerMean(string field) => MeanRate(series, point => Number(App(point), "cpu", field), $"container cpu.{field}", started, end);
            var (utilization, ratio, throttled) = (Mean("limitUtilization"), Mean("throttledPeriodsRatio"), Mean("throttledSecondsPerSecond"));
            var (containerUtilization, containerRatio) = (ContainerMean("limitUtilization"), ContainerMean("throttledPeriodsRatio"));
            Measured($"{samples} samples over {(end - started).TotalSeconds:0.0} s: pod limitUtilization {utilization:0.000}, throttledPeriodsRatio {ratio:0.000}, throttled {throttled:0.000} s/s; container limitUtilization {containerUtilization:0.000}, throttledPeriodsRatio {containerRatio:0.000}");

            Assert.Equal(CpuLimitCores, Number(latest, "cpu", "limitCores"));
            Assert.Equal(CpuLimitCores, Number(App(latest), "cpu", "limitCores"));
            Assert.InRange(utilization, 0.85, 1.1);
            Assert.InRange(containerUtilization, 0.85, 1.1);
            // Both cgroups carry the quota (as the kubelet sets them) and run out of it in nearly every period.
            Assert.InRange(ratio, 0.8, 1);
            Assert.InRange(containerRatio, 0.8, 1);
        }
        finally
        {
            Stop(stress);
        }
    }

    /// <summary>
    /// docs/api.md section 6: a worker that wants four times its pod's memory limit (32Mi in its
    /// spec, on its pod and container cgroups) is OOM-killed, and the pod's view counts the kills
    /// in the intervals they happened in, adding up to the growth of the pod's counter.
    /// </summary>
    [Fact]
    public async Task A_pod_pushed_past_its_memory_limit_counts_its_oom_kills()
    {
        var pod = env.MemoryLimited;
        var before = await env.PodAsync(pod);
        var started = Timestamp(before);
        var totalBefore = Number(before, "memory", "oomKillsTotal") ?? throw new InvalidOperationException($"No OOM kill counter for the pod: {before.ToJsonString()}");
        using var stress = pod.Start("stress-ng", "--vm", "1", "--vm-bytes", "128M", "--vm-keep", "--timeout", "60s", "--quiet");
        try
        {
            // stress-ng starts a new worker after each kill: the count goes on growing while it runs.
            var series = await Eventually.Until(async () =>
                await env.PodAsync(pod, "&window=30") is var s && KillsAfter(s, started) >= 1 ? s : null,
                TimeSpan.FromSeconds(30), "an OOM kill in the pod", () => env.Diagnostics);
            var kills = KillsAfter(series, started);
            var last = Points(series).Last();
            var counted = Number(last, "memory", "oomKillsTotal")!.Value - totalBefore;
            Measured($"pod oomKills in the intervals since the stress started: {kills}; oomKillsTotal {totalBefore} -> {counted + totalBefore}");

            Assert.Equal(counted, kills);
            Assert.Equal(MemoryLimitBytes, Number(last, "memory", "limitBytes"));
            Assert.Equal(MemoryLimitBytes, Number(App(last), "memory", "limitBytes"));
        }
        finally
        {
            Stop(stress);
        }
    }

    /// <summary>The node's labels from its Node object reach the facade's node view.</summary>
    [Fact]
    public async Task Node_view_has_the_labels_of_its_node_object()
    {
        var view = await Eventually.Until(async () =>
            await env.GetAsync($"/api/nodes/{Node}") is var v && v["labels"] is JsonObject ? v : null,
            TimeSpan.FromSeconds(20), "the node's labels in its view", () => env.Diagnostics);
        Assert.True(JsonNode.DeepEquals(Kube.NodeLabels(Node), view["labels"]), view["labels"]!.ToJsonString());
    }

    /// <summary>The "app" container of a pod view or series point.</summary>
    private static JsonNode App(JsonNode view) => view["containers"]!.AsArray().Single(c => (string)c!["name"]! == "app")!;

    /// <summary>The OOM kills of the series' points after <paramref name="after"/> (each point's kills in its interval).</summary>
    private static double KillsAfter(JsonNode series, DateTime after) =>
        Points(series).Where(p => Timestamp(p) > after).Sum(p => Number(p, "memory", "oomKills") ?? 0);
}

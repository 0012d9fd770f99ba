using KubeMonitor.EndToEnd.Tests.Support;
using static KubeMonitor.EndToEnd.Tests.EndToEndEnvironment;

namespace KubeMonitor.EndToEnd.Tests;

public sealed partial class EndToEndTests
{
    /// <summary>
    /// The exporter is killed and started again under load: its counters are the kernel's, so
    /// the first rate after the gap is the load's, and no rate of the pod or the node is
    /// negative or beyond the machine's cores.
    /// </summary>
    [Fact]
    public async Task Exporter_restart_resumes_rates_without_a_negative_or_absurd_spike()
    {
        using var stress = env.Stressed.Start("stress-ng", "--cpu", "1", "--timeout", "60s", "--quiet");
        try
        {
            var beforeKill = Timestamp(await PodSampleAtOrAfter(env.Stressed, DateTime.UtcNow.AddSeconds(2)));
            env.KillExporter();
            await Task.Delay(TimeSpan.FromSeconds(3));
            await env.StartExporterAsync();
            var restarted = DateTime.UtcNow;
            await PodSampleAtOrAfter(env.Stressed, restarted.AddSeconds(5));

            var pod = await env.PodAsync(env.Stressed, "&window=30");
            var node = await env.GetAsync($"/api/nodes/{Node}?window=30");
            var capacity = Number(await env.GetAsync($"/api/nodes/{Node}"), "cpu", "capacityCores")!.Value;

            // The restart is the widest gap between samples since before the kill (a batch in
            // flight at the kill can still land after the last sample read before it).
            var around = Points(pod).Where(p => Timestamp(p) >= beforeKill).ToList();
            var afterGap = around.Skip(1).Zip(around, (point, previous) => (Point: point, Gap: Timestamp(point) - Timestamp(previous)))
                .MaxBy(pair => pair.Gap);
            Assert.True(afterGap.Gap > TimeSpan.FromSeconds(3), $"No gap of the restart: {afterGap.Gap}.");
            // The rate across the gap spans it: the same load, not a spike.
            Assert.InRange(Number(afterGap.Point, "cpu", "usageCores")!.Value, 0.8, 1.2);
            // Nothing beyond what the node's cores can do, nothing negative.
            foreach (var series in new[] { pod, node })
            {
                foreach (var point in Points(series).Where(p => Timestamp(p) > beforeKill))
                {
                    Assert.InRange(Number(point, "cpu", "usageCores")!.Value, 0, capacity * 1.05);
                    Assert.True(Number(point, "network", "rxBytesPerSecond") is null or >= 0);
                    Assert.True(Number(point, "network", "txBytesPerSecond") is null or >= 0);
                    Assert.True(Number(point, "disk", "writeBytesPerSecond") is null or >= 0);
                }
            }
        }
        finally
        {
            Stop(stress);
        }
    }

    /// <summary>
    /// The Kubernetes API is away for 30 s: collections go on and every pod keeps its name,
    /// namespace and deployment (the exporter's last known metadata), in the facade and on /metrics.
    /// </summary>
    [Fact]
    public async Task Kubernetes_api_outage_keeps_metrics_flowing_with_the_last_known_names()
    {
        await env.WaitForAllPodsAsync();
        env.StopKubeApi();
        var stopped = DateTime.UtcNow;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(30));
            foreach (var pod in env.Pods)
            {
                var view = await PodSampleAtOrAfter(pod, stopped.AddSeconds(28));
                Assert.Equal(pod.Namespace, (string)view["namespace"]!);
                Assert.Equal(pod.Deployment, (string?)view["deployment"]);
                Assert.Equal(pod.Cgroups.PodUid, (string)view["uid"]!);
                // Samples kept coming during the outage, one per interval.
                var series = await env.PodAsync(pod, "&window=40");
                var during = Points(series).Count(p => Timestamp(p) > stopped && Timestamp(p) <= stopped.AddSeconds(28));
                Assert.True(during >= 28 / Interval.TotalSeconds - 3, $"{pod.Name}: {during} samples in 28 s without the API.");
            }
            var metrics = await env.ExporterMetricsAsync();
            foreach (var pod in env.Pods)
            {
                Assert.NotNull(PromText.Sum(metrics, "kubemonitor_pod_cpu_usage_seconds_total", $"pod=\"{pod.Name}\"", $"namespace=\"{pod.Namespace}\""));
            }

        }
        finally
        {
            env.StartKubeApi(env.KubeApiPort);
        }
    }
}

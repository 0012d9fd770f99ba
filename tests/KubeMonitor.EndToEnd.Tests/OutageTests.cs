using KubeMonitor.EndToEnd.Tests.Support;
using static KubeMonitor.EndToEnd.Tests.EndToEndEnvironment;

namespace KubeMonitor.EndToEnd.Tests;

public sealed partial class EndToEndTests
{
    private static readonly TimeSpan FacadeOutage = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The facade is down for 60 s while a pod is loaded, then starts again on the same port
    /// with an empty store: the exporter replays its buffer, and the pod's series has a point
    /// for every collection of the outage, none twice, and the exporter dropped nothing.
    /// </summary>
    [Fact]
    public async Task Facade_outage_of_60_s_is_replayed_without_loss_or_duplicates()
    {
        using var stress = env.Stressed.Start("stress-ng", "--cpu", "1", "--timeout", "120s", "--quiet");
        try
        {
            var metricsBefore = await env.ExporterMetricsAsync();
            // The last sample the old facade got; the kill follows the read at once.
            var lastBefore = Timestamp(await PodSampleAtOrAfter(env.Stressed, DateTime.UtcNow));
            env.StopFacade();
            var stopped = DateTime.UtcNow;
            try
            {
                await Task.Delay(FacadeOutage);
                var buffered = PromText.Sum(await env.ExporterMetricsAsync(), "kubemonitor_exporter_push_buffered_batches");
                Assert.True(buffered >= FacadeOutage.TotalSeconds / Interval.TotalSeconds - 5, $"{buffered} batches buffered after the outage.");
            }
            finally
            {
                await env.StartFacadeAsync();
            }
            var restarted = DateTime.UtcNow;

            await Eventually.Until(async () =>
                PromText.Sum(await env.ExporterMetricsAsync(), "kubemonitor_exporter_push_buffered_batches") is 0
                && (await env.TryGetAsync($"/api/pods/{env.Stressed.Name}?namespace={TestNamespace}") is { } view && Timestamp(view) > restarted),
                TimeSpan.FromSeconds(60), "the buffer to be replayed", () => env.Diagnostics);

            var series = await env.PodAsync(env.Stressed, "&window=150");
            var stamps = Points(series).Select(Timestamp).ToList();
            Assert.Equal(stamps.Count, stamps.Distinct().Count());
            Assert.Equal(stamps.Order(), stamps);

            // Every collection from the old facade's last sample to after the restart is there:
            // consecutive points one interval apart (a timer tick late by scheduling stays well
            // under 1.5 intervals). The first may be two: one batch can land between the read
            // of lastBefore and the kill.
            var outage = stamps.Where(t => t > lastBefore && t <= restarted.AddSeconds(2)).ToList();
            Assert.True(outage.Count >= (restarted - stopped).TotalSeconds / Interval.TotalSeconds - 2,
                $"{outage.Count} points for {(restarted - stopped).TotalSeconds:0} s of outage.\n{env.Diagnostics}");
            Assert.InRange(outage[0] - lastBefore, TimeSpan.Zero, 2.5 * Interval);
            var gaps = outage.Zip(outage.Skip(1), (a, b) => b - a).ToList();
            Assert.All(gaps, gap => Assert.InRange(gap, 0.5 * Interval, 1.5 * Interval));
            Assert.InRange(restarted - outage[^1], -2 * Interval, 1.5 * Interval);

            // Rates over the replayed samples are the load's, not artefacts of the replay.
            var replayed = Points(series).Where(p => Timestamp(p) > outage[0] && Timestamp(p) <= outage[^1]).ToList();
            Assert.All(replayed, p => Assert.InRange(Number(p, "cpu", "usageCores")!.Value, 0.5, 1.2));

            var metricsAfter = await env.ExporterMetricsAsync();
            Assert.Equal(PromText.Sum(metricsBefore, "kubemonitor_exporter_push_batches_total", "result=\"dropped\"") ?? 0,
                PromText.Sum(metricsAfter, "kubemonitor_exporter_push_batches_total", "result=\"dropped\"") ?? 0);
            Assert.Equal(PromText.Sum(metricsBefore, "kubemonitor_exporter_push_batches_total", "result=\"rejected\"") ?? 0,
                PromText.Sum(metricsAfter, "kubemonitor_exporter_push_batches_total", "result=\"rejected\"") ?? 0);
        }
        finally
        {
            Stop(stress);
        }
    }
}

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
            // Start from a steady stream: nothing buffered, the facade has the newest collection.
            await Eventually.Until(async () =>
                PromText.Sum(await env.ExporterMetricsAsync(), "kubemonitor_exporter_push_buffered_batches") is 0
                && Timestamp(await env.PodAsync(env.Stressed)) > DateTime.UtcNow - 1.5 * Interval,
                TimeSpan.FromSeconds(30), "a steady push", () => env.Diagnostics);
            var metricsBefore = await env.ExporterMetricsAsync();
            var lastBefore = Timestamp(await env.PodAsync(env.Stressed));
            env.StopFacade();
            var stopped = DateTime.UtcNow;
            double acknowledgedAfterRead;
            try
            {
                // Batches the old facade acknowledged after the read above died with it (its store
                // is memory): they are the only ones the new facade may lack, and the exporter counted them.
                acknowledgedAfterRead = (PromText.Sum(await env.ExporterMetricsAsync(), "kubemonitor_exporter_push_batches_total", "result=\"sent\"") ?? 0)
                    - (PromText.Sum(metricsBefore, "kubemonitor_exporter_push_batches_total", "result=\"sent\"") ?? 0);
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

            // Every collection from the old facade's last sample to after the restart is there,
            // once: each point falls in its own collection slot and the slots are consecutive.
            // The first may be later by the batches the old facade acknowledged after lastBefore.
            var outage = stamps.Where(t => t > lastBefore && t <= restarted.AddSeconds(2)).ToList();
            Assert.True(outage.Count >= (restarted - stopped).TotalSeconds / Interval.TotalSeconds - 2,
                $"{outage.Count} points for {(restarted - stopped).TotalSeconds:0} s of outage.\n{env.Diagnostics}");
            Measured($"outage {(restarted - stopped).TotalSeconds:0.0} s: {outage.Count} points replayed or collected after it");
            var slots = CollectionSlots([lastBefore, .. outage]);
            Assert.True(slots[1] - slots[0] >= 1 && slots[1] - slots[0] <= 1 + acknowledgedAfterRead,
                FormattableString.Invariant($"First point after the outage {slots[1] - slots[0]} collections after the last before it ({lastBefore:HH:mm:ss.fff}; kill done {stopped:HH:mm:ss.fff}), but the old facade acknowledged only {acknowledgedAfterRead} more.\n{env.Diagnostics}"));
            var steps = slots.Skip(1).Zip(slots.Skip(2), (a, b) => b - a).ToList();
            Assert.True(steps.All(step => step == 1),
                $"Collection slots not consecutive: {string.Join(' ', steps)}; timestamps {string.Join(' ', outage.Select(t => t.ToString("ss.fff", System.Globalization.CultureInfo.InvariantCulture)))}");

            // Rates over the replayed samples are the load's, not artefacts of the replay: none
            // beyond the node's cores, and one core on average.
            var capacity = Number(await env.GetAsync($"/api/nodes/{Node}"), "cpu", "capacityCores")!.Value;
            var replayed = Points(series).Where(p => Timestamp(p) > outage[0] && Timestamp(p) <= outage[^1]).ToList();
            Assert.All(replayed, p => Assert.InRange(Number(p, "cpu", "usageCores")!.Value, 0, capacity * 1.05));
            Assert.InRange(MeanRate(series, "cpu", "usageCores", outage[0], outage[^1]), 0.9, 1.1);

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

    /// <summary>
    /// The collection interval each timestamp belongs to. The exporter's timer ticks on a fixed
    /// schedule; a tick can fire late (a busy host) but never early, and the next one is on
    /// schedule again. So most timestamps sit just after the schedule's phase and late ones
    /// anywhere after it within their interval: the phase is where the most timestamps sit
    /// within 100 ms after it, and a timestamp's slot is its whole intervals since the phase.
    /// </summary>
    private static List<long> CollectionSlots(IReadOnlyList<DateTime> stamps)
    {
        var interval = Interval.Ticks;
        var offsets = stamps.Select(t => (t.Ticks % interval + interval) % interval).ToList();
        var tolerance = TimeSpan.FromMilliseconds(100).Ticks;
        var phase = offsets.MaxBy(candidate => offsets.Count(o => ((o - candidate) % interval + interval) % interval < tolerance));
        // A few ms of clock jitter before the phase still belongs to its slot.
        var early = TimeSpan.FromMilliseconds(20).Ticks;
        return stamps.Select(t => (long)Math.Floor((t.Ticks - phase + early) / (double)interval)).ToList();
    }
}

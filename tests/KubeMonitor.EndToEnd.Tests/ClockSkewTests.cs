using KubeMonitor.EndToEnd.Tests.Support;
using static KubeMonitor.EndToEnd.Tests.EndToEndEnvironment;

namespace KubeMonitor.EndToEnd.Tests;

public sealed partial class EndToEndTests
{
    /// <summary>
    /// The exporter's clock is 10 minutes behind, then NTP steps it back by 4 more minutes while it
    /// runs: the facade shifts each batch by its sentAt, so the pod's series stays on the facade's
    /// clock, fresh, with a point for every collection and none dropped as out of order.
    /// </summary>
    [Fact]
    public async Task An_exporter_clock_ten_minutes_behind_then_stepped_back_loses_and_freezes_nothing()
    {
        using var clock = new FakeClock(TimeSpan.FromMinutes(-10));
        env.KillExporter();
        try
        {
            await env.StartExporterAsync(clock);
            var started = DateTime.UtcNow;
            var droppedBefore = await OutOfOrderDropsAsync();

            // Behind by 10 minutes: the newest sample is stamped on the facade's clock, not 10 minutes ago.
            var fresh = await PodSampleAtOrAfter(env.Stressed, started.AddSeconds(5));
            Assert.InRange(DateTime.UtcNow - Timestamp(fresh), TimeSpan.Zero, TimeSpan.FromSeconds(5));

            clock.Set(TimeSpan.FromMinutes(-14));
            var stepped = DateTime.UtcNow;
            await PodSampleAtOrAfter(env.Stressed, stepped.AddSeconds(10));

            // Every collection since the start, once, in order, none far from its neighbours: no gap, no freeze.
            var stamps = Points(await env.PodAsync(env.Stressed, "&window=60"))
                .Select(Timestamp).Where(t => t >= started.AddSeconds(2)).ToList();
            Assert.Equal(stamps.Order(), stamps);
            Assert.Equal(stamps.Count, stamps.Distinct().Count());
            var widest = stamps.Skip(1).Zip(stamps, (t, previous) => t - previous).Max();
            Assert.True(widest < 3 * Interval, $"a gap of {widest} in {string.Join(", ", stamps.Select(t => t.ToString("HH:mm:ss.fff")))}\n{env.Diagnostics}");
            Assert.True(stamps.Count >= (DateTime.UtcNow - started.AddSeconds(2)).TotalSeconds / Interval.TotalSeconds - 3, $"{stamps.Count} points");
            Assert.InRange(DateTime.UtcNow - stamps[^1], TimeSpan.Zero, TimeSpan.FromSeconds(5));
            Assert.Equal(droppedBefore, await OutOfOrderDropsAsync());
        }
        finally
        {
            env.KillExporter();
            await env.StartExporterAsync();
        }
    }

    private async Task<double> OutOfOrderDropsAsync() =>
        PromText.Sum(await env.Http.GetStringAsync(new Uri(env.FacadeUrl, "/metrics")), "kubemonitor_facade_samples_dropped_total", "reason=\"out_of_order\"") ?? 0;
}

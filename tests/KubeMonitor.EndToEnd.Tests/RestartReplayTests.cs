using KubeMonitor.EndToEnd.Tests.Support;
using static KubeMonitor.EndToEnd.Tests.EndToEndEnvironment;

namespace KubeMonitor.EndToEnd.Tests;

public sealed partial class EndToEndTests
{
    /// <summary>
    /// Issue 14, "the exporters' replay then fills the gap of the restart itself": a facade with a
    /// data folder is killed with SIGKILL and started again seconds later. What it held comes back
    /// from disk, the collections made while it was down come from the exporter's buffer, and the
    /// node's window has a point for every collection from the first push on, none twice.
    /// </summary>
    [Fact]
    public async Task A_durable_facade_restarted_holds_every_collection_before_during_and_after_its_restart()
    {
        using var facade = new DurableFacade("facade-durable", env.Http);
        await facade.StartAsync();
        var exporterPort = FreePort();
        using var exporter = await env.StartExporterAsync("exporter-durable", exporterPort, [facade.Url]);
        string Diagnostics() => $"{facade.Output}\n{exporter.Output}";
        var node = $"/api/nodes/{Node}";

        await Task.Delay(2 * DurableFacade.CheckpointInterval);
        var lastBefore = Timestamp(await env.GetAsync(facade.Url, node));
        facade.Kill();
        var killed = DateTime.UtcNow;
        await Task.Delay(5 * Interval);
        await facade.StartAsync();
        var started = DateTime.UtcNow;
        // Before the exporter's next push: what the restarted facade has is its disk's, up to the last sample read before the kill.
        Assert.True(Timestamp(await env.GetAsync(facade.Url, node)) >= lastBefore, $"The restart lost samples read before the kill.\n{Diagnostics()}");

        await Eventually.Until(async () =>
            PromText.Sum(await env.Http.GetStringAsync(new Uri($"http://127.0.0.1:{exporterPort}/metrics")), "kubemonitor_exporter_push_buffered_batches") is 0
            && Timestamp(await env.GetAsync(facade.Url, node)) > started + Interval,
            TimeSpan.FromSeconds(60), "the exporter to replay its buffer", Diagnostics);

        var stamps = Points(await env.GetAsync(facade.Url, $"{node}?window=3600")).Select(Timestamp).ToList();
        Assert.Equal(stamps.Order().Distinct(), stamps);
        var during = stamps.Count(t => t > killed && t < started);
        Assert.True(during >= (started - killed) / Interval - 2, $"{during} points in the {(started - killed).TotalSeconds:0.0} s the facade was down.\n{Diagnostics()}");
        var slots = CollectionSlots(stamps);
        var steps = slots.Zip(slots.Skip(1), (a, b) => b - a).ToList();
        Assert.True(steps.All(step => step == 1),
            $"The window has a hole or a collection twice: slot steps {string.Join(' ', steps)}, killed {killed:HH:mm:ss.fff}, started {started:HH:mm:ss.fff}.\n{Diagnostics()}");
    }
}

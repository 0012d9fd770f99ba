using System.Text.Json.Nodes;
using KubeMonitor.EndToEnd.Tests.Support;
using static KubeMonitor.EndToEnd.Tests.EndToEndEnvironment;

namespace KubeMonitor.EndToEnd.Tests;

public sealed partial class EndToEndTests
{
    /// <summary>
    /// Issue 14, "replicas agree": one exporter pushes to two facades with a data folder each, as
    /// to the two replicas of the persistent overlay. One is killed with SIGKILL mid-stream and
    /// started again: it loads its checkpoint and log, the exporter replays what it missed, and
    /// then both answer the same hour-long window for the node and every pod, point for point.
    /// </summary>
    [Fact]
    public async Task Two_durable_replicas_answer_the_same_hour_after_one_is_killed_and_restarted()
    {
        using var steady = new DurableFacade("facade-a", env.Http);
        using var restarted = new DurableFacade("facade-b", env.Http);
        await steady.StartAsync();
        await restarted.StartAsync();
        var exporterPort = FreePort();
        using var exporter = await env.StartExporterAsync("exporter-ab", exporterPort, [steady.Url, restarted.Url]);
        string Diagnostics() => $"{steady.Output}\n{restarted.Output}\n{exporter.Output}";

        // Seconds of pushes, enough for a checkpoint and log after it, then the kill.
        await Task.Delay(3 * DurableFacade.CheckpointInterval);
        restarted.Kill();
        var killed = DateTime.UtcNow;
        await Task.Delay(4 * Interval);
        await restarted.StartAsync();
        Assert.Contains("Loaded the stored window", restarted.Output, StringComparison.Ordinal);

        // Both have had every batch up to `cutoff`: each facade gets the stream in order, whole batches.
        await Eventually.Until(async () =>
            PromText.Sum(await env.Http.GetStringAsync(new Uri($"http://127.0.0.1:{exporterPort}/metrics")), "kubemonitor_exporter_push_buffered_batches") is 0,
            TimeSpan.FromSeconds(60), "the exporter to replay its buffer", Diagnostics);
        var cutoff = DateTime.UtcNow;
        foreach (var facade in new[] { steady, restarted })
        {
            await Eventually.Until(async () => Timestamp(await env.GetAsync(facade.Url, $"/api/nodes/{Node}")) > cutoff,
                TimeSpan.FromSeconds(30), $"a node sample after {cutoff:O} at {facade.Url}", Diagnostics);
        }

        string[] paths = [$"/api/nodes/{Node}?window=3600", .. env.Pods.Select(pod => $"/api/pods/{pod.Name}?namespace={pod.Namespace}&window=3600")];
        foreach (var path in paths)
        {
            var expected = await PointsUpTo(steady.Url, path, cutoff);
            var actual = await PointsUpTo(restarted.Url, path, cutoff);
            // The comparison spans the restart: points from disk before the kill, replayed ones after it.
            Assert.Contains(expected, point => Timestamp(JsonNode.Parse(point)!) < killed - 2 * Interval);
            Assert.Contains(expected, point => Timestamp(JsonNode.Parse(point)!) > killed + Interval && Timestamp(JsonNode.Parse(point)!) < killed + 3 * Interval);
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>A series' points stamped at or before <paramref name="cutoff"/>, each as its JSON text (timestamp and every value).</summary>
    private async Task<List<string>> PointsUpTo(Uri facade, string path, DateTime cutoff) =>
        [.. Points(await env.GetAsync(facade, path)).Where(point => Timestamp(point) <= cutoff).Select(point => point.ToJsonString())];
}

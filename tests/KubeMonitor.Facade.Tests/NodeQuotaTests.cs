using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMonitor.Facade.Tests;

/// <summary>Facade:MaxSeriesPerNode: one node over its quota cannot take the room of the others.</summary>
public sealed class NodeQuotaTests : IDisposable
{
    // Quota 5: a node + 2 pods with one container each.
    private readonly FacadeFactory _facade = new(new() { ["Facade:MaxSeriesPerNode"] = "5", ["Facade:Staleness"] = "00:01:00" });

    public void Dispose() => _facade.Dispose();

    private static string Batch(double t, params string[] pods) => JsonSerializer.Serialize(new
    {
        timestamp = FacadeFactory.At(t),
        node = new { cpu = new { usageSecondsTotal = t } },
        pods = pods.Select(p => Bodies.Pod(t, "ns", t, name: p, containers: [Bodies.Container("app", t, 1)])).ToArray(),
    });

    [Fact]
    public async Task A_node_over_its_quota_gets_a_429_naming_it_and_other_nodes_are_unaffected()
    {
        using (var fits = await _facade.PostJsonAsync("/api/nodes/node-1/batch", Batch(0, "a", "b"))) Assert.Equal(HttpStatusCode.Accepted, fits.StatusCode);

        using var over = await _facade.PostJsonAsync("/api/nodes/node-1/batch", Batch(5, "a", "b", "c"));
        var problem = await FacadeFactory.AssertProblemAsync(over, 429);
        Assert.Contains("node-1", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.True(over.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 429 says when to come back");
        // Nothing of it was stored: a and b still end at t=0.
        Assert.Equal("2026-11-26T07:00:00Z", (string?)(await _facade.GetJsonAsync("/api/pods/a"))["timestamp"]);
        await _facade.GetProblemAsync("/api/pods/c", 404);

        // Another node has its own room, whatever node-1 does.
        using (var other = await _facade.PostJsonAsync("/api/nodes/node-2/batch", Batch(5, "d", "e"))) Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
        Assert.Equal(10L, _facade.Store.SeriesCount);
        var metrics = await _facade.CreateClient().GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("kubemonitor_facade_pushes_rejected_total{reason=\"node_quota\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Room_comes_back_when_the_sweep_frees_stale_pods()
    {
        using (var first = await _facade.PostJsonAsync("/api/nodes/node-1/batch", Batch(0, "a", "b"))) Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        // b is gone from the node; after the staleness limit the sweep frees it and c fits.
        for (var t = 10; t <= 70; t += 10)
        {
            _facade.SetTime(t);
            using var push = await _facade.PostJsonAsync("/api/nodes/node-1/batch", Batch(t, "a"));
            Assert.Equal(HttpStatusCode.Accepted, push.StatusCode);
        }
        _facade.SetTime(80);
        using var later = await _facade.PostJsonAsync("/api/nodes/node-1/batch", Batch(80, "a", "c"));
        Assert.Equal(HttpStatusCode.Accepted, later.StatusCode);
        Assert.Equal(5L, _facade.Store.SeriesCount);
    }

    [Fact]
    public async Task A_pod_that_moves_to_another_node_is_charged_to_it()
    {
        using (var first = await _facade.PostJsonAsync("/api/nodes/node-1/batch", Batch(0, "a", "b"))) Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        // b is rescheduled to node-2 (same name, as a StatefulSet pod is): node-1 has room again.
        using (var moved = await _facade.PostJsonAsync("/api/nodes/node-2/batch", Batch(5, "b"))) Assert.Equal(HttpStatusCode.Accepted, moved.StatusCode);
        Assert.Equal("node-2", (string?)(await _facade.GetJsonAsync("/api/pods/b"))["node"]);
        using (var room = await _facade.PostJsonAsync("/api/nodes/node-1/batch", Batch(5, "a", "c"))) Assert.Equal(HttpStatusCode.Accepted, room.StatusCode);
        var onNode2 = await _facade.GetJsonAsync("/api/pods?node=node-2");
        Assert.Equal(["b"], onNode2["items"]!.AsArray().Select(p => (string?)p!["name"]));
        var onNode1 = await _facade.GetJsonAsync("/api/pods?node=node-1&limit=1");
        Assert.Equal(["a"], onNode1["items"]!.AsArray().Select(p => (string?)p!["name"]));
        var next = await _facade.GetJsonAsync($"/api/pods?node=node-1&limit=1&continue={(string?)onNode1["continue"]}");
        Assert.Equal(["c"], next["items"]!.AsArray().Select(p => (string?)p!["name"]));
        Assert.Null(next["continue"]);
    }

    [Fact]
    public async Task A_pod_name_in_many_namespaces_is_found_in_each_and_freed_from_each()
    {
        using var facade = new FacadeFactory(new() { ["Facade:Staleness"] = "00:01:00" });
        const int Namespaces = 300;
        for (var i = 0; i < Namespaces; i++) await facade.PushAsync("/api/pods/same", Bodies.Pod(0, $"ns-{i:D3}", 1, node: $"node-{i % 7}"));
        var problem = await facade.GetProblemAsync("/api/pods/same", 409);
        Assert.Equal(Enumerable.Range(0, Namespaces).Select(i => $"ns-{i:D3}"), problem["namespaces"]!.AsArray().Select(n => (string?)n));

        // One namespace keeps pushing; after the staleness limit the others are freed.
        for (var t = 20; t <= 80; t += 20)
        {
            facade.SetTime(t);
            await facade.PushAsync("/api/pods/same", Bodies.Pod(t, "ns-042", 1 + t, node: "node-0"));
        }
        var pod = await facade.GetJsonAsync("/api/pods/same");
        Assert.Equal("ns-042", (string?)pod["namespace"]);
        Assert.Equal(1L, facade.Store.SeriesCount);
    }
}

using System.Net;
using System.Text.Json.Nodes;

namespace KubeMonitor.Facade.Tests;

public sealed class IngestTests : IDisposable
{
    private readonly FacadeFactory _facade = new();

    public void Dispose() => _facade.Dispose();

    [Fact]
    public async Task Unknown_fields_are_ignored_so_a_newer_collector_can_push()
    {
        var body = $$$"""
            {"timestamp":"{{{FacadeFactory.At(0)}}}","gpu":{"count":2,"nested":[{"a":null}]},
             "cpu":{"usageSecondsTotal":5,"capacityCores":2,"stealSecondsTotal":1},"memory":{"totalBytes":10,"hugePages":"x"}}
            """;
        using var response = await _facade.PostJsonAsync("/api/nodes/node-1", body, "application/json; charset=utf-8");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var node = await _facade.GetJsonAsync("/api/nodes/node-1");
        Assert.Equal(5.0, (double)node["cpu"]!["usageSecondsTotal"]!);
        Assert.Equal(10.0, (double)node["memory"]!["totalBytes"]!);
    }

    [Fact]
    public async Task Samples_without_a_timestamp_take_the_batchs_then_the_receive_time()
    {
        _facade.SetTime(30);
        await _facade.PushAsync("/api/nodes/node-1/batch", new
        {
            timestamp = FacadeFactory.At(20),
            node = new { cpu = new { usageSecondsTotal = 1 } },
            pods = new object[] { new { name = "a", @namespace = "ns" }, new { name = "b", @namespace = "ns", timestamp = FacadeFactory.At(25) } },
        });
        await _facade.PushAsync("/api/nodes/node-2/batch", new { node = new { cpu = new { usageSecondsTotal = 1 } } });

        Assert.Equal("2026-11-26T07:00:20Z", (string?)(await _facade.GetJsonAsync("/api/nodes/node-1"))["timestamp"]);
        Assert.Equal("2026-11-26T07:00:20Z", (string?)(await _facade.GetJsonAsync("/api/pods/a"))["timestamp"]);
        Assert.Equal("2026-11-26T07:00:25Z", (string?)(await _facade.GetJsonAsync("/api/pods/b"))["timestamp"]);
        Assert.Equal("2026-11-26T07:00:30Z", (string?)(await _facade.GetJsonAsync("/api/nodes/node-2"))["timestamp"]);
    }

    [Fact]
    public async Task A_timestamp_up_to_five_minutes_ahead_is_accepted_and_stays_out_of_windows_until_its_time()
    {
        await _facade.PushAsync("/api/nodes/node-1", Bodies.Node(0, 1));
        await _facade.PushAsync("/api/nodes/node-1", Bodies.Node(300, 301)); // exactly at the limit
        Assert.Equal("2026-11-26T07:05:00Z", (string?)(await _facade.GetJsonAsync("/api/nodes/node-1"))["timestamp"]);
        Assert.Single((await _facade.GetJsonAsync("/api/nodes/node-1?window=60"))["points"]!.AsArray());
    }

    [Fact]
    public async Task Samples_older_than_the_retention_are_accepted_and_not_stored()
    {
        _facade.SetTime(4000);
        using var response = await _facade.PostJsonAsync("/api/nodes/node-1", System.Text.Json.JsonSerializer.Serialize(Bodies.Node(0, 1)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, (int)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["tooOld"]!);
        Assert.Equal(0L, _facade.Store.SeriesCount);
    }

    [Fact]
    public async Task Past_the_series_cap_existing_series_are_stored_and_new_ones_refused()
    {
        using var facade = new FacadeFactory(new() { ["Facade:MaxSeries"] = "4" });
        await facade.PushAsync("/api/nodes/node-1/batch", new
        {
            timestamp = FacadeFactory.At(0),
            node = new { cpu = new { usageSecondsTotal = 1 } },
            pods = new[] { Bodies.Pod(0, "ns", 1, name: "a", containers: [Bodies.Container("app", 1, 1)]) },
        });
        Assert.Equal(3L, facade.Store.SeriesCount);

        // Three new series (pod b with its container, a's new container "side") would make 6: node-1
        // and a keep being stored, b and a's "side" are refused, and the answer says so.
        using var partly = await facade.PostJsonAsync("/api/nodes/node-1/batch", System.Text.Json.JsonSerializer.Serialize(new
        {
            timestamp = FacadeFactory.At(5),
            node = new { cpu = new { usageSecondsTotal = 2 } },
            pods = new[]
            {
                Bodies.Pod(5, "ns", 2, name: "a", containers: [Bodies.Container("app", 2, 1), Bodies.Container("side", 1, 1)]),
                Bodies.Pod(5, "ns", 1, name: "b", containers: [Bodies.Container("app", 1, 1)]),
            },
        }));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, partly.StatusCode);
        var answer = JsonNode.Parse(await partly.Content.ReadAsStringAsync())!;
        Assert.Equal(2, (int)answer["stored"]!);
        Assert.Equal(3, (int)answer["seriesRefused"]!);
        Assert.Equal(3L, facade.Store.SeriesCount);
        Assert.Equal("2026-11-26T07:00:05Z", (string?)(await facade.GetJsonAsync("/api/nodes/node-1"))["timestamp"]);
        var a = await facade.GetJsonAsync("/api/pods/a");
        Assert.Equal(0.2, (double)a["cpu"]!["usageCores"]!, 12);
        Assert.Equal(["app"], a["containers"]!.AsArray().Select(c => (string?)c!["name"]));
        await facade.GetProblemAsync("/api/pods/b", 404);

        // A push whose every series is new stores nothing: 429 with Retry-After.
        using var refused = await facade.PostJsonAsync("/api/nodes/node-2/batch", System.Text.Json.JsonSerializer.Serialize(new
        {
            timestamp = FacadeFactory.At(5),
            node = new { cpu = new { usageSecondsTotal = 2 } },
            pods = new[] { Bodies.Pod(5, "ns", 1, name: "c") },
        }));
        await FacadeFactory.AssertProblemAsync(refused, 429);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 429 says when to come back");
        Assert.Equal(3L, facade.Store.SeriesCount);
        await facade.GetProblemAsync("/api/nodes/node-2", 404);

        // One new series fits exactly.
        await facade.PushAsync("/api/pods/b", Bodies.Pod(5, "ns", 1));
        Assert.Equal(4L, facade.Store.SeriesCount);
        var metrics = await facade.CreateClient().GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("kubemonitor_facade_pushes_rejected_total{reason=\"series_cap\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_facade_series_refused_total 3", metrics, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_facade_series 4", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pod_that_moves_keeps_its_series_and_shows_its_newest_metadata()
    {
        await _facade.PushAsync("/api/pods/p", Bodies.Pod(0, "ns", 1, node: "node-1"));
        await _facade.PushAsync("/api/pods/p", Bodies.Pod(5, "ns", 2, node: "node-2", deployment: "d"));
        await _facade.PushAsync("/api/pods/p", Bodies.Pod(3, "ns", 9, node: "node-3")); // out of order: metadata not taken
        var pod = await _facade.GetJsonAsync("/api/pods/p");
        Assert.Equal("node-2", (string?)pod["node"]);
        Assert.Equal("d", (string?)pod["deployment"]);
        Assert.Equal(0.2, (double)pod["cpu"]!["usageCores"]!, 12);
    }
}

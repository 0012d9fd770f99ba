using System.Net;
using System.Text.Json.Nodes;

namespace KubeMonitor.Facade.Tests;

public sealed class ServiceTests : IDisposable
{
    private readonly FacadeFactory _facade = new();

    public void Dispose() => _facade.Dispose();

    [Theory]
    [InlineData("/livez")]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_endpoints_answer_ok(string path)
    {
        using var response = await _facade.CreateClient().GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Liveness_follows_the_sweep_ticks()
    {
        _facade.SetTime(3600); // the fake clock fires the sweep timer all along: still alive
        using var response = await _facade.CreateClient().GetAsync(new Uri("/livez", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OpenApi_document_lists_every_api_path()
    {
        var document = await _facade.GetJsonAsync("/openapi/v1.json");
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet();
        string[] expected =
        [
            "/api/nodes", "/api/nodes/{node}", "/api/nodes/{node}/batch", "/api/pods", "/api/pods/{pod}",
            "/api/namespaces", "/api/namespaces/{namespace}", "/api/namespaces/{namespace}/pods",
            "/api/namespaces/{namespace}/deployments", "/api/namespaces/{namespace}/deployments/{deployment}",
        ];
        Assert.All(expected, path => Assert.Contains(path, paths));
        Assert.NotNull(document["paths"]!["/api/nodes/{node}"]!["post"]);
        Assert.NotNull(document["paths"]!["/api/nodes/{node}"]!["get"]);
    }

    [Fact]
    public async Task Own_metrics_count_samples_series_bytes_and_requests()
    {
        await _facade.PushAsync("/api/nodes/node-1/batch", new
        {
            timestamp = FacadeFactory.At(0),
            node = Bodies.Node(0, 1),
            pods = new[] { Bodies.Pod(0, "ns", 1, name: "a"), Bodies.Pod(0, "ns", 1, name: "b") },
        });
        await _facade.GetJsonAsync("/api/pods");
        var metrics = await _facade.CreateClient().GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("kubemonitor_facade_samples_received_total{kind=\"node\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_facade_samples_received_total{kind=\"pod\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_facade_series 3", metrics, StringComparison.Ordinal);
        var bytes = metrics.Split('\n').Single(l => l.StartsWith("kubemonitor_facade_bytes_held ", StringComparison.Ordinal));
        Assert.Equal(_facade.Store.BytesHeld(), long.Parse(bytes.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(_facade.Store.BytesHeld() > 0);
        Assert.Contains("http_request_duration_seconds_count{", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Times_are_rfc3339_utc_and_nulls_are_written()
    {
        await _facade.PushAsync("/api/pods/a", Bodies.Pod(1.25, "ns", 1));
        using var response = await _facade.CreateClient().GetAsync(new Uri("/api/pods/a", UriKind.Relative));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"timestamp\":\"2026-11-26T07:00:01.25Z\"", text, StringComparison.Ordinal);
        Assert.Contains("\"usageCores\":null", text, StringComparison.Ordinal);
    }
}

namespace KubeMonitor.Facade.Tests.MetricsApi;

/// <summary>Facade:MetricsApi:Window: CPU from the oldest sample within the window to the newest, for kubectl top and the HPA alike.</summary>
public sealed class MetricsApiWindowTests
{
    /// <summary>node-1 and pod a/p every 5 s from 0 to 40 s, CPU seconds t²/100: the rate grows, so each window gives its own answer.</summary>
    private static async Task<MetricsApiFactory> PushedAsync(string? window)
    {
        var facade = MetricsApiFactory.Create(window is null ? null : new() { ["Facade:MetricsApi:Window"] = window });
        for (var t = 0; t <= 40; t += 5)
        {
            facade.SetTime(t);
            await facade.PushAsync("/api/nodes/node-1", MetricsApiTests.Node(t, t * t / 100.0, 1024));
            await facade.PushAsync("/api/pods/p", MetricsApiTests.Pod(t, "a", "p", null, ("c", t * t / 100.0, 2048)));
        }
        facade.SetTime(41);
        return facade;
    }

    [Theory]
    [InlineData(null, "750m", "5s")]        // (16 - 12.25) / 5: the last two samples, as metrics-server
    [InlineData("0", "750m", "5s")]
    [InlineData("30s", "500m", "30s")]      // (16 - 1) / 30: from the sample at 10 s
    [InlineData("1m", "400m", "40s")]       // (16 - 0) / 40: every sample there is
    [InlineData("12s", "700m", "10s")]      // (16 - 9) / 10: the oldest within 12 s is at 30 s
    [InlineData("3s", "750m", "5s")]        // no sample that close: the one before the newest
    public async Task The_window_setting_sets_the_span_of_the_cpu_rate(string? window, string cpu, string span)
    {
        using var facade = await PushedAsync(window);
        using var client = facade.Proxied();

        var node = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync(new Uri("/apis/metrics.k8s.io/v1beta1/nodes/node-1", UriKind.Relative)))!;
        Assert.Equal((cpu, span, "1Ki"), ((string?)node["usage"]!["cpu"], (string?)node["window"], (string?)node["usage"]!["memory"]));
        var pod = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync(new Uri("/apis/metrics.k8s.io/v1beta1/namespaces/a/pods/p", UriKind.Relative)))!;
        Assert.Equal((cpu, span, "2Ki"), ((string?)pod["containers"]![0]!["usage"]!["cpu"], (string?)pod["window"], (string?)pod["containers"]![0]!["usage"]!["memory"]));
        Assert.Equal("2026-11-26T07:00:40Z", (string?)pod["timestamp"]);
    }
}

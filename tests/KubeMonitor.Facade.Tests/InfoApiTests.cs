namespace KubeMonitor.Facade.Tests;

/// <summary>GET /api/info tells the longest window that each source answers, the window the page offers as its longest.</summary>
public sealed class InfoApiTests
{
    [Fact]
    public async Task Memory_source_answers_windows_up_to_its_retention()
    {
        using var facade = new FacadeFactory(new() { ["Facade:Retention"] = "00:30:00", ["Facade:DefaultStepSeconds"] = "10" });
        var info = await facade.GetJsonAsync("/api/info");
        Assert.Equal("memory", (string?)info["source"]);
        Assert.Equal(1800, (int)info["maxWindowSeconds"]!);
        Assert.Equal(10, (int)info["defaultStepSeconds"]!);
        Assert.Equal(300, (int)info["stalenessSeconds"]!);

        // The longest window is one the API takes, and one second more is not.
        await facade.PushAsync("/api/nodes/node-1", Bodies.Node(0, 1));
        await facade.GetJsonAsync("/api/nodes/node-1?window=1800");
        using var client = facade.CreateClient();
        using var tooLong = await client.GetAsync(new Uri("/api/nodes/node-1?window=1801", UriKind.Relative));
        await FacadeFactory.AssertProblemAsync(tooLong, 400);
    }

    [Fact]
    public async Task Prometheus_source_answers_windows_up_to_its_max_window()
    {
        // No backend is asked: the answer comes from the settings.
        using var facade = new FacadeFactory(new()
        {
            ["Facade:Source"] = "Prometheus", ["Facade:Prometheus:Url"] = "http://127.0.0.1:9", ["Facade:Prometheus:MaxWindow"] = "2.00:00:00",
        });
        var info = await facade.GetJsonAsync("/api/info");
        Assert.Equal("prometheus", (string?)info["source"]);
        Assert.Equal(2 * 86400, (int)info["maxWindowSeconds"]!);
    }
}

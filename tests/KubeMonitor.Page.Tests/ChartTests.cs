using System.Text.Json;
using KubeMonitor.Page.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KubeMonitor.Page.Tests;

/// <summary>Charts draw the pushed samples of the window asked for, and a refresh brings new samples in place.</summary>
public sealed class ChartTests(Browser browser) : PageTest(browser)
{
    private ILocator Chart(string title) => Page.Locator($"figure.chart[data-title=\"{title}\"]");

    /// <summary>The last point a chart holds: its time (s) and one value per line.</summary>
    private async Task<double?[]> LastPointAsync(string title) =>
        JsonSerializer.Deserialize<double?[]>(await Chart(title).GetAttributeAsync("data-last") ?? "[]")!;

    [Fact]
    public async Task A_nodes_and_a_pods_charts_hold_the_pushed_points()
    {
        await Session.GoAsync($"#/nodes/{Cluster.NodeA.Name}");
        var lastTime = new DateTimeOffset(Start.AddSeconds((Pushed - 1) * Samples.IntervalSeconds)).ToUnixTimeSeconds();
        await Expect(Chart("CPU (cores)")).ToHaveAttributeAsync("data-points", Pushed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var cpu = await LastPointAsync("CPU (cores)");
        Assert.Equal(lastTime, cpu[0]!.Value, 3);
        Assert.Equal(Cluster.NodeA.CpuCores, cpu[1]!.Value, 6);
        Assert.Equal(NodeLoad.CapacityCores, cpu[2]);
        var network = await LastPointAsync("Network");
        Assert.Equal(Samples.NetworkRxBytesPerSecond, network[1]!.Value, 3);
        await Expect(Page.Locator(".window-picker button[aria-pressed=true]")).ToHaveTextAsync("5 min");

        // The pod's CPU beside its request and limit.
        var pod = Cluster.Web1;
        await Session.GoAsync($"#/namespaces/{pod.Namespace}/pods/{pod.Name}");
        await Expect(Chart("CPU (cores)")).ToHaveAttributeAsync("data-points", Pushed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var podCpu = await LastPointAsync("CPU (cores)");
        Assert.Equal(pod.CpuCores, podCpu[1]!.Value, 6);
        Assert.Equal(pod.CpuLimitCores / 4, podCpu[2]);
        Assert.Equal(pod.CpuLimitCores, podCpu[3]);
        var memory = await LastPointAsync("Memory (working set)");
        Assert.Equal([pod.WorkingSetBytes, pod.MemoryLimitBytes / 2, pod.MemoryLimitBytes], memory[1..]);

        // The longest window the source answers (GET /api/info) is one click away, and in the URL.
        var info = JsonDocument.Parse(await Facade.Http.GetStringAsync(new Uri("/api/info", UriKind.Relative))).RootElement;
        var longest = info.GetProperty("maxWindowSeconds").GetInt32();
        await Page.ClickAsync($".window-picker button[data-window=\"{longest}\"]");
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"w={longest}"));
        await Expect(Page.Locator(".window-picker button[aria-pressed=true]")).ToContainTextAsync("longest");
        Assert.Contains(Session.Requests, u => u.Contains($"window={longest}", StringComparison.Ordinal));
        Session.AssertClean();
    }

    [Fact]
    public async Task A_refresh_shows_a_new_sample_in_place()
    {
        var node = Cluster.NodeA;
        await Session.GoAsync("#/nodes");
        var cpuCell = Row(node.Name).Locator("td").Nth(1);
        await Expect(cpuCell).ToHaveTextAsync($"{node.CpuCores:F2} / {NodeLoad.CapacityCores:F2}");
        // A mark on the row's element: a refresh that rebuilt the table would lose it.
        await Row(node.Name).EvaluateAsync("row => row.dataset.mark = 'kept'");

        // One more core over the next interval.
        await Facade.PushAsync(node.Name, Samples.Batch(node, Start, Pushed, extraCpuSeconds: Samples.IntervalSeconds));
        await Expect(cpuCell).ToHaveTextAsync($"{node.CpuCores + 1:F2} / {NodeLoad.CapacityCores:F2}", new() { Timeout = 20_000 });
        await Expect(Row(node.Name)).ToHaveAttributeAsync("data-mark", "kept");

        await Session.GoAsync($"#/nodes/{node.Name}");
        await Expect(Chart("CPU (cores)")).ToHaveAttributeAsync("data-points", (Pushed + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Chart("CPU (cores)").EvaluateAsync("chart => chart.dataset.mark = 'kept'");
        await Facade.PushAsync(node.Name, Samples.Batch(node, Start, Pushed + 1, extraCpuSeconds: Samples.IntervalSeconds));
        await Expect(Chart("CPU (cores)")).ToHaveAttributeAsync("data-points", (Pushed + 2).ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 20_000 });
        await Expect(Chart("CPU (cores)")).ToHaveAttributeAsync("data-mark", "kept");
        Assert.Equal(node.CpuCores, (await LastPointAsync("CPU (cores)"))[1]!.Value, 6);
        Session.AssertClean();
    }
}

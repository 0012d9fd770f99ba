using System.Globalization;
using KubeMonitor.Page.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace KubeMonitor.Page.Tests;

/// <summary>The nodes view: every pushed node with its numbers and utilization bars; sorting lives in the URL.</summary>
public sealed class NodesTableTests(Browser browser) : PageTest(browser)
{
    [Fact]
    public async Task Every_pushed_node_shows_cpu_memory_disk_and_network_with_utilization_bars()
    {
        await Session.GoAsync("#/nodes");
        foreach (var node in Cluster.Nodes)
        {
            var cells = Row(node.Name).Locator("td");
            await Expect(cells.Nth(1)).ToHaveTextAsync($"{node.CpuCores:F2} / {NodeLoad.CapacityCores:F2}");
            await Expect(cells.Nth(2)).ToHaveTextAsync($"{node.UsedBytes / 1024 / Samples.MiB:F2} GiB / {NodeLoad.TotalBytes / 1024 / Samples.MiB:F2} GiB");
            await Expect(cells.Nth(3)).ToHaveTextAsync($"{Samples.DiskReadBytesPerSecond / 1000:F0} kB/s");
            await Expect(cells.Nth(5)).ToHaveTextAsync($"{Samples.NetworkRxBytesPerSecond / 1000:F0} kB/s");
            // The bars are the utilizations the API reports: usage over capacity, used over total.
            await Expect(cells.Nth(1).Locator(".bar > span")).ToHaveAttributeAsync("style", Width(node.CpuCores / NodeLoad.CapacityCores));
            await Expect(cells.Nth(2).Locator(".bar > span")).ToHaveAttributeAsync("style", Width(node.UsedBytes / NodeLoad.TotalBytes));
        }
        await Expect(Page.Locator(".summary")).ToContainTextAsync($"{Cluster.Nodes.Count} nodes");
        await Session.ScreenshotAsync("nodes");
        Session.AssertClean();
    }

    [Fact]
    public async Task Sorting_by_a_column_is_in_the_url_and_survives_a_reload()
    {
        await Session.GoAsync("#/nodes");
        await Expect(Row(Cluster.NodeC.Name)).ToBeVisibleAsync();
        await Page.ClickAsync("th button[data-sort=cpu]");
        var busiestFirst = Cluster.Nodes.OrderByDescending(n => n.CpuCores).Select(n => n.Name).ToList();
        await Expect(Page.Locator("table.grid tbody tr td:first-child")).ToHaveTextAsync([.. busiestFirst]);
        Assert.Contains("sort=cpu", Page.Url, StringComparison.Ordinal);
        Assert.Contains("dir=desc", Page.Url, StringComparison.Ordinal);

        await Page.ReloadAsync();
        await Expect(Page.Locator("table.grid tbody tr td:first-child")).ToHaveTextAsync([.. busiestFirst]);
        await Page.ClickAsync("th button[data-sort=cpu]");
        await Expect(Page.Locator("table.grid tbody tr td:first-child")).ToHaveTextAsync([.. busiestFirst.AsEnumerable().Reverse()]);

        await Page.FillAsync("input[name=q]", "node-b");
        await Expect(Page.Locator("table.grid tbody tr td:first-child")).ToHaveTextAsync(["node-b"]);
        Session.AssertClean();
    }

    private static string Width(double share) => $"width: {Math.Round(share * 100, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture)}%;";
}

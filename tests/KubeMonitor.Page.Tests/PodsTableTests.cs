using KubeMonitor.Page.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace KubeMonitor.Page.Tests;

/// <summary>The pods view reads GET /api/pods a page at a time (never the whole list), filtered and sorted on the server.</summary>
public sealed class PodsTableTests(Browser browser) : PageTest(browser)
{
    private Microsoft.Playwright.ILocator Names => Page.Locator("table.grid tbody tr td:first-child");

    [Fact]
    public async Task Filters_by_namespace_node_and_label_selector()
    {
        await Session.GoAsync("#/pods");
        await Expect(Names).ToHaveTextAsync([.. Cluster.Pods.OrderBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Name)]);

        await Page.FillAsync("input[name=namespace]", "shop");
        await Page.ClickAsync("form.filters button[type=submit]");
        await Expect(Names).ToHaveTextAsync([.. Names_(Cluster.Pods.Where(p => p.Namespace == "shop"))]);
        Assert.Contains("namespace=shop", Page.Url, StringComparison.Ordinal);
        await Session.ScreenshotAsync("pods");

        await Page.FillAsync("input[name=selector]", "tier=frontend");
        await Page.ClickAsync("form.filters button[type=submit]");
        await Expect(Names).ToHaveTextAsync([.. Names_(Cluster.Pods.Where(p => p.Labels.GetValueOrDefault("tier") == "frontend"))]);

        await Page.FillAsync("input[name=node]", Cluster.NodeB.Name);
        await Page.ClickAsync("form.filters button[type=submit]");
        await Expect(Names).ToHaveTextAsync([Cluster.Web3.Name]);

        // A malformed selector is the API's 400, shown beside the form.
        await Page.FillAsync("input[name=selector]", "tier in (");
        await Page.ClickAsync("form.filters button[type=submit]");
        await Expect(Page.Locator(".pod-list .error")).ToContainTextAsync("400");

        var podReads = Session.Requests.Where(u => new Uri(u).AbsolutePath == "/api/pods").ToList();
        Assert.NotEmpty(podReads);
        Assert.All(podReads, url => Assert.Contains("limit=", url, StringComparison.Ordinal));
        Session.AssertClean(error => error.Contains("status of 400", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sorts_by_any_column()
    {
        await Session.GoAsync("#/pods?namespace=shop");
        var shop = Cluster.Pods.Where(p => p.Namespace == "shop").ToList();
        await Expect(Names).ToHaveCountAsync(shop.Count);

        await Page.ClickAsync("th button[data-sort=cpu]");
        await Expect(Names).ToHaveTextAsync([.. shop.OrderByDescending(p => p.CpuCores).Select(p => p.Name)]);
        await Page.ClickAsync("th button[data-sort=cpu]");
        await Expect(Names).ToHaveTextAsync([.. shop.OrderBy(p => p.CpuCores).Select(p => p.Name)]);
        await Page.ClickAsync("th button[data-sort=memory]");
        await Expect(Names).ToHaveTextAsync([.. shop.OrderByDescending(p => p.WorkingSetBytes).Select(p => p.Name)]);
        await Page.ClickAsync("th button[data-sort=node]");
        await Expect(Names).ToHaveTextAsync([.. shop.OrderBy(p => Cluster.Nodes.Single(n => n.Pods.Contains(p)).Name, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Name)]);
        Assert.Contains(Session.Requests, u => u.Contains("/api/pods?", StringComparison.Ordinal) && u.Contains("sort=-cpu.usageCores", StringComparison.Ordinal));
        Session.AssertClean();
    }

    [Fact]
    public async Task Sorting_orders_every_page_not_just_the_one_shown()
    {
        // 60 pods, busier the later their name: by name the busiest are all on the second page of 50.
        var many = Enumerable.Range(0, 60)
            .Select(i => new PodLoad("ranked", $"job-{i:D3}", null, 0.01 * (i + 1), 10 * Samples.MiB, new Dictionary<string, string> { ["app"] = "job" }))
            .ToList();
        await Samples.PushAsync(Facade, [new NodeLoad("node-ranked", 1, 1024 * Samples.MiB, many)], Start, 2);
        var busiestFirst = many.OrderByDescending(p => p.CpuCores).Select(p => p.Name).ToList();

        await Session.GoAsync("#/pods?namespace=ranked&limit=50");
        await Expect(Names.First).ToHaveTextAsync("job-000");
        await Page.ClickAsync("th button[data-sort=cpu]");
        await Expect(Names).ToHaveTextAsync([.. busiestFirst.Take(50)]);
        await Expect(Page.Locator(".page-label")).ToHaveTextAsync("1–50");
        await Page.ClickAsync("nav.pager button[data-page=next]");
        await Expect(Names).ToHaveTextAsync([.. busiestFirst.Skip(50)]);
        await Expect(Page.Locator(".page-label")).ToHaveTextAsync("51–60 of 60");
        Assert.Contains("sort=cpu", Page.Url, StringComparison.Ordinal);

        // Back to the first page, then another order: it starts at its own first page.
        await Page.ClickAsync("nav.pager button[data-page=previous]");
        await Expect(Names.First).ToHaveTextAsync("job-059");
        await Page.ClickAsync("nav.pager button[data-page=next]");
        await Expect(Names.First).ToHaveTextAsync("job-009");
        await Page.ClickAsync("th button[data-sort=cpu]");
        await Expect(Names).ToHaveTextAsync([.. busiestFirst.AsEnumerable().Reverse().Take(50)]);
        Assert.DoesNotContain("continue=", Page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(Session.Requests, u => new Uri(u).AbsolutePath == "/api/pods" && !u.Contains("limit=", StringComparison.Ordinal));
        Session.AssertClean();
    }

    [Fact]
    public async Task Pages_forward_with_the_continue_token_and_back()
    {
        // 60 pods of one namespace on a node of their own: more than a page of 50.
        var many = Enumerable.Range(0, 60)
            .Select(i => new PodLoad("batch", $"job-{i:D3}", null, 0.01, 10 * Samples.MiB, new Dictionary<string, string> { ["app"] = "job" }))
            .ToList();
        await Samples.PushAsync(Facade, [new NodeLoad("node-batch", 1, 1024 * Samples.MiB, many)], Start, 2);

        await Session.GoAsync("#/pods?namespace=batch&limit=50");
        await Expect(Names).ToHaveCountAsync(50);
        await Expect(Names.First).ToHaveTextAsync("job-000");
        await Page.ClickAsync("nav.pager button[data-page=next]");
        await Expect(Names).ToHaveCountAsync(10);
        await Expect(Names.First).ToHaveTextAsync("job-050");
        await Expect(Page.Locator(".page-label")).ToHaveTextAsync("51–60 of 60");
        Assert.Contains(Session.Requests, u => u.Contains("/api/pods?", StringComparison.Ordinal) && u.Contains("continue=", StringComparison.Ordinal));
        await Page.ClickAsync("nav.pager button[data-page=previous]");
        await Expect(Names).ToHaveCountAsync(50);
        await Expect(Names.First).ToHaveTextAsync("job-000");
        Assert.DoesNotContain(Session.Requests, u => new Uri(u).AbsolutePath == "/api/pods" && !u.Contains("limit=", StringComparison.Ordinal));
        Session.AssertClean();
    }

    private static IEnumerable<string> Names_(IEnumerable<PodLoad> pods) =>
        pods.OrderBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Name);
}

using System.Text;
using System.Text.Json.Nodes;
using KubeMonitor.Facade.Tests.Prometheus;

namespace KubeMonitor.Facade.Tests;

/// <summary><c>GET /api/pods?limit=&amp;continue=</c>: pages of the same list, in the same order, each pod once (over either source).</summary>
public abstract class PodPagingTests(Func<Dictionary<string, string?>?, FacadeFactory> newFacade) : IDisposable
{
    private readonly FacadeFactory _facade = newFacade(null);

    public void Dispose()
    {
        _facade.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>7 pods in 3 namespaces on 2 nodes, pushed out of name order.</summary>
    private async Task PushAsync()
    {
        _facade.SetTime(0);
        await _facade.PushAsync("/api/nodes/node-1/batch", new
        {
            timestamp = FacadeFactory.At(0),
            pods = new[]
            {
                Bodies.Pod(0, "shop", 1, name: "web-2"), Bodies.Pod(0, "shop", 1, name: "web-1"), Bodies.Pod(0, "apps", 1, name: "b"),
                Bodies.Pod(0, "zeta", 1, name: "z"),
            },
        });
        await _facade.PushAsync("/api/nodes/node-2/batch", new
        {
            timestamp = FacadeFactory.At(0),
            pods = new[] { Bodies.Pod(0, "shop", 1, name: "web-3"), Bodies.Pod(0, "apps", 1, name: "a"), Bodies.Pod(0, "apps", 1, name: "c") },
        });
    }

    private static List<string> Names(JsonNode list) =>
        list["items"]!.AsArray().Select(p => $"{(string?)p!["namespace"]}/{(string?)p["name"]}").ToList();

    /// <summary>Follows continue tokens from the first page; returns the pages' names.</summary>
    private async Task<List<List<string>>> WalkAsync(string path, int limit)
    {
        var pages = new List<List<string>>();
        string? token = null;
        do
        {
            var page = await _facade.GetJsonAsync($"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}limit={limit}" + (token is null ? "" : $"&continue={Uri.EscapeDataString(token)}"));
            pages.Add(Names(page));
            token = (string?)page["continue"];
            Assert.True(pages.Count <= 10, "the walk does not end");
        }
        while (token is not null);
        return pages;
    }

    [Fact]
    public async Task Pages_cover_the_whole_list_once_in_its_order_and_the_last_has_no_continue()
    {
        await PushAsync();
        var whole = await _facade.GetJsonAsync("/api/pods");
        Assert.Null(whole["continue"]); // the unpaged list is as before
        Assert.Equal(["apps/a", "apps/b", "apps/c", "shop/web-1", "shop/web-2", "shop/web-3", "zeta/z"], Names(whole));

        var pages = await WalkAsync("/api/pods", 3);
        Assert.Equal([3, 3, 1], pages.Select(p => p.Count));
        Assert.Equal(Names(whole), pages.SelectMany(p => p));

        // A limit that ends exactly at the end: no empty extra page.
        Assert.Equal([7], (await WalkAsync("/api/pods", 7)).Select(p => p.Count));
        Assert.Equal([7], (await WalkAsync("/api/pods", 10_000)).Select(p => p.Count));
    }

    [Fact]
    public async Task Pages_honour_namespace_and_node_filters()
    {
        await PushAsync();
        Assert.Equal([["shop/web-1", "shop/web-2"], ["shop/web-3"]], await WalkAsync("/api/pods?namespace=shop", 2));
        Assert.Equal([["apps/a", "apps/c"], ["shop/web-3"]], await WalkAsync("/api/pods?node=node-2", 2));
        Assert.Equal([["shop/web-3"]], await WalkAsync("/api/pods?namespace=shop&node=node-2", 2));
        Assert.Equal([[]], await WalkAsync("/api/pods?namespace=nothing", 2));
    }

    [Fact]
    public async Task A_pod_created_before_the_cursor_does_not_shift_the_next_page()
    {
        await PushAsync();
        var first = await _facade.GetJsonAsync("/api/pods?limit=3");
        Assert.Equal(["apps/a", "apps/b", "apps/c"], Names(first));

        _facade.SetTime(5);
        await _facade.PushAsync("/api/nodes/node-1/batch", new
        {
            timestamp = FacadeFactory.At(5),
            pods = new[] { Bodies.Pod(5, "apps", 2, name: "aa"), Bodies.Pod(5, "shop", 2, name: "web-15") },
        });
        var next = await _facade.GetJsonAsync($"/api/pods?limit=3&continue={Uri.EscapeDataString((string)first["continue"]!)}");
        Assert.Equal(["shop/web-1", "shop/web-15", "shop/web-2"], Names(next));
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=-1")]
    [InlineData("limit=abc")]
    [InlineData("limit=1.5")]
    [InlineData("limit=10001")]
    [InlineData("limit=99999999999")]
    [InlineData("continue=YXBwcy9h")] // a valid token without its limit
    [InlineData("limit=2&continue=not*base64")]
    [InlineData("limit=2&continue=bm9zbGFzaA")] // "noslash"
    [InlineData("limit=2&continue=QVBQUy9h")] // "APPS/a": not a namespace
    [InlineData("limit=2&continue=")]
    public async Task Bad_limit_or_continue_is_a_400(string query)
    {
        await PushAsync();
        var problem = await _facade.GetProblemAsync($"/api/pods?{query}", 400);
        Assert.False(string.IsNullOrEmpty((string?)problem["detail"]));
    }

    [Fact]
    public void Token_helper_values_in_the_theory_are_what_they_claim()
    {
        Assert.Equal("apps/a", Encoding.UTF8.GetString(Convert.FromBase64String("YXBwcy9h")));
        Assert.Equal("noslash", Encoding.UTF8.GetString(Convert.FromBase64String("bm9zbGFzaA==")));
        Assert.Equal("APPS/a", Encoding.UTF8.GetString(Convert.FromBase64String("QVBQUy9h")));
    }
}

public sealed class PodPagingOnMemoryTests() : PodPagingTests(settings => new FacadeFactory(settings));

public sealed class PodPagingOnPrometheusTests() : PodPagingTests(settings => new PrometheusFacadeFactory(settings));

using System.Text.Json.Nodes;
using KubeMonitor.Facade.Tests.Prometheus;

namespace KubeMonitor.Facade.Tests;

/// <summary><c>GET /api/pods?labelSelector=</c> (docs/api.md section 6) over either source, with the other filters and with pages.</summary>
public abstract class LabelSelectorApiTests(Func<Dictionary<string, string?>?, FacadeFactory> newFacade) : IDisposable
{
    private readonly FacadeFactory _facade = newFacade(null);

    public void Dispose()
    {
        _facade.Dispose();
        GC.SuppressFinalize(this);
    }

    private static object Pod(string name, string ns, Dictionary<string, string>? labels) =>
        new { name, @namespace = ns, labels, cpu = new { usageSecondsTotal = 1 } };

    /// <summary>shop/web-1 (app=web, tier=frontend, app.kubernetes.io/name=web), shop/web-2 (app=web, tier=backend), shop/db-0 (app=db), other/web-3 (app=web), other/plain (no labels).</summary>
    private async Task PushAsync()
    {
        await _facade.PushAsync("/api/nodes/node-1/batch", new
        {
            timestamp = FacadeFactory.At(0),
            pods = new[]
            {
                Pod("web-1", "shop", new() { ["app"] = "web", ["tier"] = "frontend", ["app.kubernetes.io/name"] = "web" }),
                Pod("web-2", "shop", new() { ["app"] = "web", ["tier"] = "backend" }),
                Pod("plain", "other", null),
            },
        });
        await _facade.PushAsync("/api/nodes/node-2/batch", new
        {
            timestamp = FacadeFactory.At(0),
            pods = new[] { Pod("db-0", "shop", new() { ["app"] = "db" }), Pod("web-3", "other", new() { ["app"] = "web" }) },
        });
    }

    private static List<string> Names(JsonNode list) =>
        list["items"]!.AsArray().Select(p => $"{(string?)p!["namespace"]}/{(string?)p["name"]}").ToList();

    private async Task<List<string>> SelectAsync(string selector, string more = "") =>
        Names(await _facade.GetJsonAsync($"/api/pods?labelSelector={Uri.EscapeDataString(selector)}{more}"));

    [Theory]
    [InlineData("app=web", "other/web-3 shop/web-1 shop/web-2")]
    [InlineData("app==web,tier=frontend", "shop/web-1")]
    [InlineData("app!=web", "other/plain shop/db-0")]                 // a pod without the key passes !=
    [InlineData("tier in (frontend, backend)", "shop/web-1 shop/web-2")]
    [InlineData("app notin (web,db)", "other/plain")]
    [InlineData("tier", "shop/web-1 shop/web-2")]
    [InlineData("!tier", "other/plain other/web-3 shop/db-0")]
    [InlineData("app.kubernetes.io/name=web", "shop/web-1")]          // a prefixed key, sanitized for Prometheus alike
    [InlineData("app=nothing", "")]
    [InlineData("", "other/plain other/web-3 shop/db-0 shop/web-1 shop/web-2")]
    public async Task Selects_pods_by_their_labels(string selector, string expected)
    {
        await PushAsync();
        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), await SelectAsync(selector));
    }

    [Fact]
    public async Task Works_with_namespace_node_and_pages()
    {
        await PushAsync();
        Assert.Equal(["other/web-3"], await SelectAsync("app=web", "&namespace=other"));
        Assert.Equal(["shop/web-1", "shop/web-2"], await SelectAsync("app=web", "&node=node-1"));
        Assert.Equal(["other/web-3"], await SelectAsync("app=web", "&node=node-2"));

        var first = await _facade.GetJsonAsync("/api/pods?labelSelector=app%3Dweb&limit=2");
        Assert.Equal(["other/web-3", "shop/web-1"], Names(first));
        var token = Uri.EscapeDataString((string)first["continue"]!);
        var second = await _facade.GetJsonAsync($"/api/pods?labelSelector=app%3Dweb&limit=2&continue={token}");
        Assert.Equal(["shop/web-2"], Names(second));
        Assert.Null(second["continue"]);
        var onNode = await _facade.GetJsonAsync("/api/pods?labelSelector=app%21%3Ddb&node=node-1&limit=1");
        Assert.Equal(["other/plain"], Names(onNode));
    }

    [Theory]
    [InlineData("a=(b)")]
    [InlineData("a in ()")]
    [InlineData("a in (x")]
    [InlineData("in")]
    [InlineData("a b")]
    [InlineData("=b")]
    [InlineData("a=b=c")]
    [InlineData("a,")]
    [InlineData(",a")]
    [InlineData("a > 1")]
    [InlineData("Bad_Prefix/a=b")]
    [InlineData("-a=b")]
    [InlineData("a=-b")]
    public async Task A_malformed_selector_is_a_400(string selector)
    {
        await PushAsync();
        var problem = await _facade.GetProblemAsync($"/api/pods?labelSelector={Uri.EscapeDataString(selector)}", 400);
        Assert.Contains("labelSelector", (string?)problem["detail"], StringComparison.Ordinal);
    }
}

public sealed class LabelSelectorApiOnMemoryTests() : LabelSelectorApiTests(settings => new FacadeFactory(settings));

public sealed class LabelSelectorApiOnPrometheusTests() : LabelSelectorApiTests(settings => new PrometheusFacadeFactory(settings));

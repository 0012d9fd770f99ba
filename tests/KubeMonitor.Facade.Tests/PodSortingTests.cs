using System.Text;
using System.Text.Json.Nodes;
using KubeMonitor.Facade.Tests.Prometheus;

namespace KubeMonitor.Facade.Tests;

/// <summary>
/// <c>GET /api/pods?limit=&amp;sort=</c>: pages of one order over every matching pod (not each page
/// sorted on its own), missing values last, ties by namespace and name; over either source.
/// </summary>
public abstract class PodSortingTests(Func<Dictionary<string, string?>?, FacadeFactory> newFacade) : IDisposable
{
    private readonly FacadeFactory _facade = newFacade(null);

    public void Dispose()
    {
        _facade.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Name, CPU cores, working set, node, deployment. Out of every order, CPU and memory with ties.</summary>
    private static readonly (string Ns, string Name, double Cores, double WorkingSet, string Node, string? Deployment)[] Pods =
    [
        ("shop", "web-2", 2, 100, "node-1", "web"),
        ("apps", "a", 0.5, 300, "node-2", null),
        ("shop", "db-0", 3, 50, "node-1", "db"),
        ("shop", "web-3", 0.1, 400, "node-2", "web"),
        ("apps", "b", 2, 200, "node-1", null),
        ("shop", "web-1", 1, 300, "node-1", "web"),
    ];

    /// <summary>Two samples of each of <see cref="Pods"/> 5 s apart (so each has a CPU rate), and zeta/z with one (no rate: null CPU).</summary>
    private async Task PushAsync()
    {
        foreach (var t in new[] { 0, 5 })
        {
            _facade.SetTime(t);
            foreach (var node in new[] { "node-1", "node-2" })
            {
                var pods = Pods.Where(p => p.Node == node)
                    .Select(p => Bodies.Pod(t, p.Ns, p.Cores * t, workingSet: p.WorkingSet, node: node, deployment: p.Deployment, name: p.Name)).ToList();
                if (t == 5 && node == "node-2") pods.Add(Bodies.Pod(t, "zeta", 1, workingSet: 10, node: node, name: "z"));
                await _facade.PushAsync($"/api/nodes/{node}/batch", new { timestamp = FacadeFactory.At(t), pods });
            }
        }
    }

    private static List<string> Names(JsonNode list) =>
        list["items"]!.AsArray().Select(p => $"{(string?)p!["namespace"]}/{(string?)p["name"]}").ToList();

    private static string WithQuery(string path, string query) => $"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}{query}";

    /// <summary>Follows continue tokens from the first page; returns the pages' names.</summary>
    private async Task<List<List<string>>> WalkAsync(string path, int limit)
    {
        var pages = new List<List<string>>();
        string? token = null;
        do
        {
            var page = await _facade.GetJsonAsync(WithQuery(path, $"limit={limit}" + (token is null ? "" : $"&continue={Uri.EscapeDataString(token)}")));
            pages.Add(Names(page));
            token = (string?)page["continue"];
            Assert.True(pages.Count <= 10, "the walk does not end");
        }
        while (token is not null);
        return pages;
    }

    [Fact]
    public async Task Pages_by_CPU_descending_hold_the_busiest_pods_of_the_whole_list_first()
    {
        await PushAsync();
        // The first page is the top two of all seven, from two namespaces: not the first two by name, sorted.
        Assert.Equal(
            [["shop/db-0", "apps/b"], ["shop/web-2", "shop/web-1"], ["apps/a", "shop/web-3"], ["zeta/z"]],
            await WalkAsync("/api/pods?sort=-cpu.usageCores", 2));
        // Ascending reverses the values, not the tie (apps/b before shop/web-2) nor the missing value (last).
        Assert.Equal(
            [["shop/web-3", "apps/a", "shop/web-1"], ["apps/b", "shop/web-2", "shop/db-0"], ["zeta/z"]],
            await WalkAsync("/api/pods?sort=cpu.usageCores", 3));
        var top = await _facade.GetJsonAsync("/api/pods?sort=-cpu.usageCores&limit=1");
        Assert.Equal(3, (double)top["items"]![0]!["cpu"]!["usageCores"]!, 6);
    }

    [Fact]
    public async Task Ties_break_by_namespace_and_name_and_text_fields_sort_too()
    {
        await PushAsync();
        Assert.Equal(
            [["shop/web-3", "apps/a", "shop/web-1", "apps/b"], ["shop/web-2", "shop/db-0", "zeta/z"]],
            await WalkAsync("/api/pods?sort=-memory.workingSetBytes", 4));
        // Pods without a deployment have none to sort by: last, in key order.
        Assert.Equal(
            [["shop/db-0", "shop/web-1", "shop/web-2"], ["shop/web-3", "apps/a", "apps/b"], ["zeta/z"]],
            await WalkAsync("/api/pods?sort=deployment", 3));
        Assert.Equal(
            [["apps/a", "shop/web-3", "zeta/z", "apps/b", "shop/db-0", "shop/web-1", "shop/web-2"]],
            await WalkAsync("/api/pods?sort=-node", 10));
        Assert.Equal(
            [["apps/a", "apps/b", "shop/db-0"], ["shop/web-1", "shop/web-2", "shop/web-3"], ["zeta/z"]],
            await WalkAsync("/api/pods?sort=namespace", 3));
    }

    [Fact]
    public async Task Sorted_pages_honour_filters()
    {
        await PushAsync();
        Assert.Equal([["shop/db-0", "shop/web-2"], ["shop/web-1", "shop/web-3"]], await WalkAsync("/api/pods?namespace=shop&sort=-cpu.usageCores", 2));
        Assert.Equal([["shop/db-0", "apps/b", "shop/web-2"], ["shop/web-1"]], await WalkAsync("/api/pods?node=node-1&sort=-cpu.usageCores", 3));
    }

    [Fact]
    public async Task A_deployment_pods_come_in_one_paged_request_in_any_order()
    {
        await PushAsync();
        Assert.Equal([["shop/web-1", "shop/web-2"], ["shop/web-3"]], await WalkAsync("/api/pods?namespace=shop&deployment=web", 2));
        Assert.Equal([["shop/web-2", "shop/web-1", "shop/web-3"]], await WalkAsync("/api/pods?namespace=shop&deployment=web&sort=-cpu.usageCores", 3));
        Assert.Equal(["shop/web-1", "shop/web-2", "shop/web-3"], Names(await _facade.GetJsonAsync("/api/pods?namespace=shop&deployment=web")));
        Assert.Equal([[]], await WalkAsync("/api/pods?namespace=apps&deployment=web", 2));
    }

    [Fact]
    public async Task A_pod_before_the_cursor_does_not_shift_the_next_sorted_page()
    {
        await PushAsync();
        var first = await _facade.GetJsonAsync("/api/pods?sort=-cpu.usageCores&limit=2");
        Assert.Equal(["shop/db-0", "apps/b"], Names(first));

        // A new pod busier than any (10 cores): it belongs before the cursor, so the next page goes on from apps/b.
        foreach (var t in new[] { 6, 7 })
        {
            _facade.SetTime(t);
            await _facade.PushAsync("/api/nodes/node-2/batch", new { timestamp = FacadeFactory.At(t), pods = new[] { Bodies.Pod(t, "apps", 10 * t, node: "node-2", name: "new") } });
        }
        Assert.Equal(["apps/new"], Names(await _facade.GetJsonAsync("/api/pods?sort=-cpu.usageCores&limit=1")));
        var next = await _facade.GetJsonAsync($"/api/pods?sort=-cpu.usageCores&limit=2&continue={Uri.EscapeDataString((string)first["continue"]!)}");
        Assert.Equal(["shop/web-2", "shop/web-1"], Names(next));
    }

    [Theory]
    [InlineData("limit=2&sort=cpu")] // a section, not a value
    [InlineData("limit=2&sort=--cpu.usageCores")]
    [InlineData("limit=2&sort=labels")]
    [InlineData("limit=2&sort=")]
    [InlineData("sort=-cpu.usageCores")] // sorting orders pages only
    [InlineData("deployment=web")] // a deployment is in a namespace
    [InlineData("namespace=shop&deployment=Web")]
    public async Task Bad_sort_or_deployment_is_a_400(string query)
    {
        await PushAsync();
        var problem = await _facade.GetProblemAsync($"/api/pods?{query}", 400);
        Assert.False(string.IsNullOrEmpty((string?)problem["detail"]));
    }

    [Fact]
    public async Task A_token_only_continues_the_order_it_was_made_in()
    {
        await PushAsync();
        var byCpu = (string)(await _facade.GetJsonAsync("/api/pods?sort=-cpu.usageCores&limit=2"))["continue"]!;
        var byKey = (string)(await _facade.GetJsonAsync("/api/pods?limit=2"))["continue"]!;
        await _facade.GetProblemAsync($"/api/pods?sort=cpu.usageCores&limit=2&continue={byCpu}", 400);
        await _facade.GetProblemAsync($"/api/pods?limit=2&continue={byCpu}", 400);
        await _facade.GetProblemAsync($"/api/pods?sort=-cpu.usageCores&limit=2&continue={byKey}", 400);
        // The right sort with a value that is not a number.
        var forged = Convert.ToBase64String(Encoding.UTF8.GetBytes("-cpu.usageCores\nlots\napps/b")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await _facade.GetProblemAsync($"/api/pods?sort=-cpu.usageCores&limit=2&continue={forged}", 400);
    }
}

public sealed class PodSortingOnMemoryTests() : PodSortingTests(settings => new FacadeFactory(settings));

public sealed class PodSortingOnPrometheusTests() : PodSortingTests(settings => new PrometheusFacadeFactory(settings));

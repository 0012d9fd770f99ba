using System.Text.Json.Nodes;

namespace KubeMonitor.Facade.Tests.MetricsApi;

/// <summary>metrics.k8s.io over its HTTPS listener, authenticated as the aggregator would be (docs/api.md section 7).</summary>
public sealed class MetricsApiTests : IDisposable
{
    private const string Root = "/apis/metrics.k8s.io/v1beta1";
    private const long Gi = 1024L * 1024 * 1024;

    private readonly MetricsApiFactory _facade = MetricsApiFactory.Create();

    public void Dispose() => _facade.Dispose();

    internal static object Node(double t, double cpuSeconds, long usedBytes, Dictionary<string, string>? labels = null) => new
    {
        timestamp = FacadeFactory.At(t),
        cpu = new { usageSecondsTotal = cpuSeconds, capacityCores = 8 },
        memory = new { totalBytes = 16 * Gi, availableBytes = 16 * Gi - usedBytes, usedBytes },
        labels,
    };

    /// <summary>A pod whose containers are (name, CPU seconds, working set); a null value is one the sample leaves out.</summary>
    internal static object Pod(double t, string ns, string name, Dictionary<string, string>? labels, params (string Name, double? Cpu, double? WorkingSet)[] containers) => new
    {
        name,
        timestamp = FacadeFactory.At(t),
        @namespace = ns,
        node = "node-1",
        labels,
        cpu = new { usageSecondsTotal = containers.Sum(c => c.Cpu ?? 0) },
        memory = new { workingSetBytes = containers.Sum(c => c.WorkingSet ?? 0) },
        containers = containers.Select(c => new
        {
            name = c.Name,
            cpu = c.Cpu is null ? null : new { usageSecondsTotal = c.Cpu },
            memory = c.WorkingSet is null ? null : new { workingSetBytes = c.WorkingSet },
        }).ToArray(),
    };

    private static Dictionary<string, string> Labels(params string[] pairs) => pairs.Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);

    private async Task<(int Status, JsonNode Body)> GetAsync(string path)
    {
        using var client = _facade.Proxied();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return ((int)response.StatusCode, JsonNode.Parse(text)!);
    }

    private async Task<JsonNode> GetOkAsync(string path)
    {
        var (status, body) = await GetAsync(path);
        Assert.True(status == 200, $"{path}: {status} {body.ToJsonString()}");
        return body;
    }

    private static List<string> Names(JsonNode list) =>
        [.. list["items"]!.AsArray().Select(i => i!["metadata"]!["namespace"] is { } ns ? $"{ns}/{i["metadata"]!["name"]}" : (string)i["metadata"]!["name"]!)];

    private static void AssertStatus(int status, JsonNode body, int code, string reason)
    {
        Assert.Equal(code, status);
        Assert.Equal(("Status", "v1", "Failure", reason, code), ((string?)body["kind"], (string?)body["apiVersion"], (string?)body["status"], (string?)body["reason"], (int)body["code"]!));
        Assert.False(string.IsNullOrEmpty((string?)body["message"]));
    }

    /// <summary>Two samples of everything, 5 s apart; the clock 3 s after the second.</summary>
    private async Task PushTwiceAsync(Func<double, int, Task> push, double interval = 5)
    {
        for (var i = 0; i < 2; i++)
        {
            _facade.SetTime(i * interval);
            await push(i * interval, i);
        }
        _facade.SetTime(interval + 3);
    }

    [Fact]
    public async Task Discovery_names_the_group_its_version_and_both_resources()
    {
        var resources = await GetOkAsync(Root);
        Assert.Equal("APIResourceList", (string?)resources["kind"]);
        Assert.Equal("metrics.k8s.io/v1beta1", (string?)resources["groupVersion"]);
        var byName = resources["resources"]!.AsArray().ToDictionary(r => (string)r!["name"]!);
        Assert.Equal(("NodeMetrics", false), ((string?)byName["nodes"]!["kind"], (bool)byName["nodes"]!["namespaced"]!));
        Assert.Equal(("PodMetrics", true), ((string?)byName["pods"]!["kind"], (bool)byName["pods"]!["namespaced"]!));
        Assert.Equal(["get", "list"], byName["pods"]!["verbs"]!.AsArray().Select(v => (string?)v));

        var group = await GetOkAsync("/apis/metrics.k8s.io");
        Assert.Equal("metrics.k8s.io/v1beta1", (string?)group["preferredVersion"]!["groupVersion"]);
        var groups = await GetOkAsync("/apis");
        Assert.Equal("APIGroupList", (string?)groups["kind"]);
        Assert.Equal("metrics.k8s.io", (string?)groups["groups"]![0]!["name"]);
    }

    [Fact]
    public async Task A_node_shows_the_rate_over_its_last_two_samples_its_used_memory_labels_and_window()
    {
        await PushTwiceAsync((t, i) => _facade.PushAsync("/api/nodes/node-1", Node(t, 100 + 10 * i, 2 * Gi + i * 512 * 1024 * 1024, Labels("role=worker"))));

        var node = await GetOkAsync($"{Root}/nodes/node-1");
        Assert.Equal(("NodeMetrics", "metrics.k8s.io/v1beta1"), ((string?)node["kind"], (string?)node["apiVersion"]));
        Assert.Equal("node-1", (string?)node["metadata"]!["name"]);
        Assert.Equal("worker", (string?)node["metadata"]!["labels"]!["role"]);
        Assert.Equal(FacadeFactory.At(8).Replace(".000", ""), (string?)node["metadata"]!["creationTimestamp"]); // when asked, as metrics-server does
        Assert.Equal("2026-11-26T07:00:05Z", (string?)node["timestamp"]);
        Assert.Equal("5s", (string?)node["window"]);
        Assert.Equal("2", (string?)node["usage"]!["cpu"]);          // (110 - 100) / 5
        Assert.Equal("2560Mi", (string?)node["usage"]!["memory"]);  // 2.5 GiB used

        var list = await GetOkAsync($"{Root}/nodes");
        Assert.Equal(("NodeMetricsList", "metrics.k8s.io/v1beta1"), ((string?)list["kind"], (string?)list["apiVersion"]));
        Assert.Equal(node.ToJsonString(), list["items"]![0]!.ToJsonString());
    }

    [Fact]
    public async Task A_pod_shows_each_container_in_nanocores_and_binary_bytes_with_an_uneven_window()
    {
        await PushTwiceAsync((t, i) => _facade.PushAsync("/api/pods/web-1",
            Pod(t, "shop", "web-1", Labels("app=web"), ("app", 10 + i * 0.251234567 * 5.125, 300 * 1024 * 1024), ("sidecar", 2 + i * 0.002 * 5.125, 123_456_789))), interval: 5.125);

        var pod = await GetOkAsync($"{Root}/namespaces/shop/pods/web-1");
        Assert.Equal("PodMetrics", (string?)pod["kind"]);
        Assert.Equal(("web-1", "shop", "web"), ((string?)pod["metadata"]!["name"], (string?)pod["metadata"]!["namespace"], (string?)pod["metadata"]!["labels"]!["app"]));
        Assert.Equal("2026-11-26T07:00:05Z", (string?)pod["timestamp"]); // whole seconds, as metav1.Time
        Assert.Equal("5.125s", (string?)pod["window"]);
        var containers = pod["containers"]!.AsArray();
        Assert.Equal(["app", "sidecar"], containers.Select(c => (string?)c!["name"]));
        Assert.Equal(("251234567n", "300Mi"), ((string?)containers[0]!["usage"]!["cpu"], (string?)containers[0]!["usage"]!["memory"]));
        Assert.Equal(("2m", "123456789"), ((string?)containers[1]!["usage"]!["cpu"], (string?)containers[1]!["usage"]!["memory"]));
    }

    private static readonly string[] UnsortedNodes = ["node-b", "node-a", "node-c"];

    [Fact]
    public async Task Lists_are_sorted_by_name_and_by_namespace_then_name()
    {
        await PushTwiceAsync(async (t, i) =>
        {
            foreach (var node in UnsortedNodes) await _facade.PushAsync($"/api/nodes/{node}", Node(t, 10 * i, Gi));
            foreach (var (ns, name) in new[] { ("zeta", "a-pod"), ("alpha", "z-pod"), ("alpha", "b-pod"), ("mid", "m") })
            {
                await _facade.PushAsync($"/api/pods/{name}", Pod(t, ns, name, null, ("c", i, 100)));
            }
        });

        Assert.Equal(["node-a", "node-b", "node-c"], Names(await GetOkAsync($"{Root}/nodes")));
        var pods = await GetOkAsync($"{Root}/pods");
        Assert.Equal("PodMetricsList", (string?)pods["kind"]);
        Assert.Equal(["alpha/b-pod", "alpha/z-pod", "mid/m", "zeta/a-pod"], Names(pods));
        Assert.Equal(["alpha/b-pod", "alpha/z-pod"], Names(await GetOkAsync($"{Root}/namespaces/alpha/pods")));
    }

    [Fact]
    public async Task One_sample_or_a_container_without_values_leaves_the_item_out()
    {
        await PushTwiceAsync(async (t, i) =>
        {
            await _facade.PushAsync("/api/nodes/node-two", Node(t, 10 * i, Gi));
            await _facade.PushAsync("/api/pods/complete", Pod(t, "a", "complete", null, ("c", i, 100)));
            await _facade.PushAsync("/api/pods/no-memory", Pod(t, "a", "no-memory", null, ("c", i, 100), ("d", i, null)));
            await _facade.PushAsync("/api/pods/no-containers", Pod(t, "a", "no-containers", null));
            if (i == 1)
            {
                await _facade.PushAsync("/api/nodes/node-one", Node(t, 10, Gi));
                await _facade.PushAsync("/api/pods/fresh", Pod(t, "a", "fresh", null, ("c", 1, 100)));
            }
        });

        Assert.Equal(["node-two"], Names(await GetOkAsync($"{Root}/nodes")));
        Assert.Equal(["a/complete"], Names(await GetOkAsync($"{Root}/pods")));
        var (status, body) = await GetAsync($"{Root}/nodes/node-one");
        AssertStatus(status, body, 404, "NotFound");
        (status, body) = await GetAsync($"{Root}/namespaces/a/pods/no-memory");
        AssertStatus(status, body, 404, "NotFound");
    }

    [Theory]
    [InlineData("/pods?labelSelector=app%3Dweb", "shop/web-1,shop/web-2,other/web-3")]
    [InlineData("/pods?labelSelector=app%3Dweb,tier!%3Dfrontend", "shop/web-2,other/web-3")]
    [InlineData("/pods?labelSelector=tier+in+(backend,frontend)", "shop/web-1,shop/web-2")]
    [InlineData("/namespaces/shop/pods?labelSelector=app%3Dweb", "shop/web-1,shop/web-2")]
    [InlineData("/pods?fieldSelector=metadata.namespace%3Dshop", "shop/db-0,shop/web-1,shop/web-2")]
    [InlineData("/pods?fieldSelector=metadata.namespace!%3Dshop", "other/web-3")]
    [InlineData("/pods?fieldSelector=metadata.name%3D%3Dweb-1", "shop/web-1")]
    [InlineData("/pods?fieldSelector=metadata.name!%3Dweb-1,metadata.namespace%3Dshop&labelSelector=app", "shop/db-0,shop/web-2")]
    [InlineData("/namespaces/other/pods?fieldSelector=metadata.namespace%3Dshop", "")]
    [InlineData("/nodes?labelSelector=role%3Dworker", "node-1,node-3")]
    [InlineData("/nodes?labelSelector=!role", "node-2")]
    [InlineData("/nodes?fieldSelector=metadata.name!%3Dnode-1&labelSelector=role%3Dworker", "node-3")]
    public async Task Label_and_field_selectors_pick_the_items(string query, string expected)
    {
        await PushTwiceAsync(async (t, i) =>
        {
            await _facade.PushAsync("/api/nodes/node-1", Node(t, 10 * i, Gi, Labels("role=worker")));
            await _facade.PushAsync("/api/nodes/node-2", Node(t, 10 * i, Gi, Labels("role-x=control")));
            await _facade.PushAsync("/api/nodes/node-3", Node(t, 10 * i, Gi, Labels("role=worker")));
            await _facade.PushAsync("/api/pods/web-1", Pod(t, "shop", "web-1", Labels("app=web", "tier=frontend"), ("c", i, 100)));
            await _facade.PushAsync("/api/pods/web-2", Pod(t, "shop", "web-2", Labels("app=web", "tier=backend"), ("c", i, 100)));
            await _facade.PushAsync("/api/pods/db-0", Pod(t, "shop", "db-0", Labels("app=db"), ("c", i, 100)));
            await _facade.PushAsync("/api/pods/web-3", Pod(t, "other", "web-3", Labels("app=web"), ("c", i, 100)));
        });

        var names = Names(await GetOkAsync(Root + query));
        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("/pods?labelSelector=app+in+(web")]
    [InlineData("/pods?labelSelector=-bad-%3Dx")]
    [InlineData("/nodes?labelSelector=a%3D%3D%3Db")]
    [InlineData("/pods?fieldSelector=spec.nodeName%3Dnode-1")]
    [InlineData("/nodes?fieldSelector=metadata.name")]
    [InlineData("/namespaces/a/pods?fieldSelector=metadata.name%3Da%3Db")]
    public async Task A_malformed_selector_is_a_400_Status(string query)
    {
        var (status, body) = await GetAsync(Root + query);
        AssertStatus(status, body, 400, "BadRequest");
    }

    [Fact]
    public async Task Unknown_names_are_404_Status_as_Kubernetes_words_them()
    {
        var (status, body) = await GetAsync($"{Root}/nodes/nope");
        AssertStatus(status, body, 404, "NotFound");
        Assert.Equal("nodemetrics.metrics.k8s.io \"nope\" not found", (string?)body["message"]);
        (status, body) = await GetAsync($"{Root}/namespaces/a/pods/nope");
        AssertStatus(status, body, 404, "NotFound");
        Assert.Equal("podmetrics.metrics.k8s.io \"a/nope\" not found", (string?)body["message"]);
        Assert.Equal(("a/nope", "metrics.k8s.io", "podmetrics"), ((string?)body["details"]!["name"], (string?)body["details"]!["group"], (string?)body["details"]!["kind"]));
        (status, body) = await GetAsync($"{Root}/deployments");
        AssertStatus(status, body, 404, "NotFound");
    }

    [Fact]
    public async Task The_listener_serves_only_the_metrics_api_and_the_rest_api_does_not_serve_it()
    {
        await PushTwiceAsync((t, i) => _facade.PushAsync("/api/nodes/node-1", Node(t, 10 * i, Gi)));

        foreach (var path in new[] { "/api/nodes", "/api/nodes/node-1", "/metrics", "/readyz", "/openapi/v1.json" })
        {
            var (status, body) = await GetAsync(path);
            AssertStatus(status, body, 404, "NotFound");
        }
        using var rest = _facade.CreateClient();
        Assert.Equal(200, (int)(await rest.GetAsync(new Uri("/api/nodes/node-1", UriKind.Relative))).StatusCode);
        await _facade.GetProblemAsync($"{Root}/nodes", 404);
        await _facade.GetProblemAsync("/apis", 404);

        using var proxied = _facade.Proxied();
        using var post = await proxied.PostAsync(new Uri($"{Root}/nodes", UriKind.Relative), new StringContent("{}"));
        AssertStatus((int)post.StatusCode, JsonNode.Parse(await post.Content.ReadAsStringAsync())!, 405, "MethodNotAllowed");
    }
}

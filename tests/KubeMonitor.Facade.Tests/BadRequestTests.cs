using System.Net.Http.Headers;
using System.Text;

namespace KubeMonitor.Facade.Tests;

/// <summary>The facade with node-1 and shop/web-1 pushed at t = 0 and 10, the clock at 20.</summary>
public sealed class SeededFacade : IAsyncLifetime
{
    public FacadeFactory Facade { get; } = new();

    public async Task InitializeAsync()
    {
        foreach (var t in new[] { 0, 10 })
        {
            Facade.SetTime(t);
            await Facade.PushAsync("/api/nodes/node-1/batch", new
            {
                timestamp = FacadeFactory.At(t),
                node = Bodies.Node(t, 100 + t),
                pods = new[] { Bodies.Pod(t, "shop", t, 100, 200, name: "web-1", containers: [Bodies.Container("app", t, 50)]) },
            });
        }
        Facade.SetTime(20);
    }

    public Task DisposeAsync()
    {
        Facade.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Everything the store shows: both entities' whole series, the lists, the series count and bytes.</summary>
    public async Task<string> FingerprintAsync()
    {
        var parts = new List<string>();
        foreach (var path in new[] { "/api/nodes", "/api/pods", "/api/namespaces", "/api/nodes/node-1?window=3600", "/api/pods/web-1?window=3600" })
        {
            parts.Add((await Facade.GetJsonAsync(path)).ToJsonString());
        }
        parts.Add($"series={Facade.Store.SeriesCount} bytes={Facade.Store.BytesHeld()}");
        return string.Join('\n', parts);
    }
}

public sealed class BadRequestTests(SeededFacade seeded) : IClassFixture<SeededFacade>
{
    private const string Json = "application/json";
    private static readonly string Now = FacadeFactory.At(20);
    private static readonly string Future = FacadeFactory.At(20 + 301);

    private static string NodeBody(string cpuValue) => $$$"""{"timestamp":"{{{Now}}}","cpu":{"usageSecondsTotal":{{{cpuValue}}}}}""";

    private static string PodBody(string extra) => $$"""{"timestamp":"{{Now}}","namespace":"shop","cpu":{"usageSecondsTotal":20}{{extra}}}""";

    private static string Batch(string pod) => $$$"""{"timestamp":"{{{Now}}}","node":{"cpu":{"usageSecondsTotal":130}},"pods":[{{{pod}}}]}""";

    private static string Deep(int depth) => """{"cpu":{"usageSecondsTotal":1},"extra":""" + new string('[', depth) + new string(']', depth) + "}";

    /// <summary>name, method, path, content type (null: none), body (null: none), expected status.</summary>
    public static TheoryData<string, string, string, string?, string?, int> Cases => new()
    {
        // Malformed JSON
        { "truncated object", "POST", "/api/nodes/node-1", Json, "{", 400 },
        { "not JSON at all", "POST", "/api/nodes/node-1", Json, "not json", 400 },
        { "empty body", "POST", "/api/nodes/node-1", Json, "", 400 },
        { "JSON null", "POST", "/api/nodes/node-1", Json, "null", 400 },
        { "array instead of object", "POST", "/api/nodes/node-1", Json, "[]", 400 },
        { "string instead of object", "POST", "/api/nodes/node-1", Json, "\"sample\"", 400 },
        { "trailing garbage", "POST", "/api/nodes/node-1", Json, NodeBody("130") + " x", 400 },
        { "single quotes", "POST", "/api/nodes/node-1", Json, "{'cpu':{'usageSecondsTotal':130}}", 400 },
        { "comment", "POST", "/api/nodes/node-1", Json, "{/* c */\"cpu\":{\"usageSecondsTotal\":130}}", 400 },
        { "trailing comma", "POST", "/api/nodes/node-1", Json, "{\"cpu\":{\"usageSecondsTotal\":130},}", 400 },
        { "invalid UTF-8 in an unknown field", "POST", "/api/nodes/node-1", Json, "<bad-utf8>", 400 },
        // Wrong types: numbers are JSON numbers only
        { "number as string", "POST", "/api/nodes/node-1", Json, NodeBody("\"130\""), 400 },
        { "NaN string", "POST", "/api/nodes/node-1", Json, NodeBody("\"NaN\""), 400 },
        { "Infinity string", "POST", "/api/nodes/node-1", Json, NodeBody("\"Infinity\""), 400 },
        { "-Infinity string", "POST", "/api/nodes/node-1", Json, NodeBody("\"-Infinity\""), 400 },
        { "bare NaN token", "POST", "/api/nodes/node-1", Json, NodeBody("NaN"), 400 },
        { "boolean as number", "POST", "/api/nodes/node-1", Json, NodeBody("true"), 400 },
        { "array as number", "POST", "/api/nodes/node-1", Json, NodeBody("[130]"), 400 },
        { "object as number", "POST", "/api/nodes/node-1", Json, NodeBody("{\"v\":130}"), 400 },
        { "section as number", "POST", "/api/nodes/node-1", Json, $$"""{"timestamp":"{{Now}}","cpu":5}""", 400 },
        { "timestamp as number", "POST", "/api/nodes/node-1", Json, """{"timestamp":1764140420,"cpu":{"usageSecondsTotal":130}}""", 400 },
        { "timestamp not a date", "POST", "/api/nodes/node-1", Json, """{"timestamp":"yesterday","cpu":{"usageSecondsTotal":130}}""", 400 },
        { "namespace as number", "POST", "/api/pods/web-1", Json, """{"namespace":5,"cpu":{"usageSecondsTotal":20}}""", 400 },
        { "pods as object", "POST", "/api/nodes/node-1/batch", Json, """{"pods":{"name":"web-1"}}""", 400 },
        { "null pod in batch", "POST", "/api/nodes/node-1/batch", Json, Batch("null"), 400 },
        // Values: finite, not negative
        { "negative counter", "POST", "/api/nodes/node-1", Json, NodeBody("-1"), 400 },
        { "1e400 overflows", "POST", "/api/nodes/node-1", Json, NodeBody("1e400"), 400 },
        { "-1e400 overflows", "POST", "/api/nodes/node-1", Json, NodeBody("-1e400"), 400 },
        { "negative gauge in pod", "POST", "/api/pods/web-1", Json, PodBody(""",memory":{"workingSetBytes":-0.5}"""), 400 },
        { "negative container value", "POST", "/api/pods/web-1", Json, PodBody(""","containers":[{"name":"app","memory":{"workingSetBytes":-1}}]"""), 400 },
        { "huge number in batch pod", "POST", "/api/nodes/node-1/batch", Json, Batch("""{"name":"web-1","namespace":"shop","cpu":{"usageSecondsTotal":1e999}}"""), 400 },
        // Names
        { "node name with capitals and _", "POST", "/api/nodes/Node_1", Json, NodeBody("130"), 400 },
        { "node name of 254 characters", "POST", "/api/nodes/" + new string('a', 254), Json, NodeBody("130"), 400 },
        { "pod name starting with -", "POST", "/api/pods/-web", Json, PodBody(""), 400 },
        { "namespace with a dot", "POST", "/api/pods/web-1", Json, """{"namespace":"sh.op","cpu":{"usageSecondsTotal":20}}""", 400 },
        { "namespace of 64 characters", "POST", "/api/pods/web-1", Json, $$"""{"namespace":"{{new string('n', 64)}}"}""", 400 },
        { "batch pod name in capitals", "POST", "/api/nodes/node-1/batch", Json, Batch("""{"name":"WEB","namespace":"shop"}"""), 400 },
        { "batch pod without name", "POST", "/api/nodes/node-1/batch", Json, Batch("""{"namespace":"shop"}"""), 400 },
        { "container name in capitals", "POST", "/api/pods/web-1", Json, PodBody(""","containers":[{"name":"App"}]"""), 400 },
        { "container twice", "POST", "/api/pods/web-1", Json, PodBody(""","containers":[{"name":"app"},{"name":"app"}]"""), 400 },
        { "deployment with _", "POST", "/api/pods/web-1", Json, PodBody(""","deployment":"bad_dep" """), 400 },
        { "owner name with _", "POST", "/api/pods/web-1", Json, PodBody(""","ownerKind":"ReplicaSet","ownerName":"x_y" """), 400 },
        { "owner kind not a kind", "POST", "/api/pods/web-1", Json, PodBody(""","ownerKind":"Replica Set" """), 400 },
        { "pod node not a name", "POST", "/api/pods/web-1", Json, PodBody(""","node":"Node 1" """), 400 },
        // Section 6: labels follow Kubernetes' rules, new values are values like any other
        { "label key starting with -", "POST", "/api/pods/web-1", Json, PodBody(""","labels":{"-app":"web"}"""), 400 },
        { "label key with a space", "POST", "/api/pods/web-1", Json, PodBody(""","labels":{"my app":"web"}"""), 400 },
        { "label key with an upper-case prefix", "POST", "/api/pods/web-1", Json, PodBody(""","labels":{"Example.com/app":"web"}"""), 400 },
        { "label key of 64 characters", "POST", "/api/pods/web-1", Json, PodBody($$""","labels":{"{{new string('k', 64)}}":"web"}"""), 400 },
        { "label value of 64 characters", "POST", "/api/pods/web-1", Json, PodBody($$""","labels":{"app":"{{new string('v', 64)}}"}"""), 400 },
        { "label value ending in .", "POST", "/api/pods/web-1", Json, PodBody(""","labels":{"app":"web."}"""), 400 },
        { "label value null", "POST", "/api/pods/web-1", Json, PodBody(""","labels":{"app":null}"""), 400 },
        { "label value a number", "POST", "/api/pods/web-1", Json, PodBody(""","labels":{"app":1}"""), 400 },
        { "labels as an array", "POST", "/api/pods/web-1", Json, PodBody(""","labels":["app"]"""), 400 },
        { "65 labels", "POST", "/api/pods/web-1", Json, PodBody(""","labels":{""" + string.Join(",", Enumerable.Range(0, 65).Select(i => $"\"k{i}\":\"v\"")) + "}"), 400 },
        { "bad node label", "POST", "/api/nodes/node-1", Json, $$$"""{"timestamp":"{{{Now}}}","labels":{"a:b":"c"},"cpu":{"usageSecondsTotal":130}}""", 400 },
        { "bad label of a batch pod", "POST", "/api/nodes/node-1/batch", Json, Batch("""{"name":"web-1","namespace":"shop","labels":{"app":"-"}}"""), 400 },
        { "negative cpu limit", "POST", "/api/pods/web-1", Json, PodBody(""","resources":{"cpuLimitCores":-1}"""), 400 },
        { "memory limit past 2^64", "POST", "/api/pods/web-1", Json, PodBody(""","resources":{"memoryLimitBytes":1e20}"""), 400 },
        { "throttled periods as a string", "POST", "/api/pods/web-1", Json, PodBody(""","cpu":{"throttledPeriodsTotal":"3"}"""), 400 },
        { "negative pressure", "POST", "/api/pods/web-1", Json, PodBody(""","pressure":{"io":{"stalledSecondsTotal":-0.1}}"""), 400 },
        { "negative container OOM kills", "POST", "/api/pods/web-1", Json, PodBody(""","containers":[{"name":"app","memory":{"oomKillsTotal":-1}}]"""), 400 },
        { "container request as a boolean", "POST", "/api/pods/web-1", Json, PodBody(""","containers":[{"name":"app","resources":{"cpuRequestCores":true}}]"""), 400 },
        { "labelSelector malformed", "GET", "/api/pods?labelSelector=a%3D(b)", null, null, 400 },
        { "labelSelector with a bad key", "GET", "/api/pods?labelSelector=-a", null, null, 400 },
        // Missing namespace
        { "pod without namespace", "POST", "/api/pods/web-1", Json, """{"cpu":{"usageSecondsTotal":20}}""", 400 },
        { "batch pod without namespace", "POST", "/api/nodes/node-1/batch", Json, Batch("""{"name":"web-1","cpu":{"usageSecondsTotal":20}}"""), 400 },
        // Future timestamps
        { "node timestamp 301 s ahead", "POST", "/api/nodes/node-1", Json, $$$"""{"timestamp":"{{{Future}}}","cpu":{"usageSecondsTotal":130}}""", 400 },
        { "batch timestamp 301 s ahead", "POST", "/api/nodes/node-1/batch", Json, "{\"timestamp\":\"" + Future + "\",\"node\":{\"cpu\":{\"usageSecondsTotal\":130}}}", 400 },
        { "one batch pod ahead", "POST", "/api/nodes/node-1/batch", Json, Batch($$"""{"name":"web-1","namespace":"shop","timestamp":"{{Future}}"}"""), 400 },
        // Depth
        { "nested 20 deep", "POST", "/api/nodes/node-1", Json, Deep(20), 400 },
        { "nested 5000 deep", "POST", "/api/nodes/node-1", Json, Deep(5000), 400 },
        // Size
        { "2 MB body", "POST", "/api/nodes/node-1", Json, "<2MB>", 413 },
        // Content type
        { "text/plain", "POST", "/api/nodes/node-1", "text/plain", NodeBody("130"), 415 },
        { "no content type", "POST", "/api/nodes/node-1", null, NodeBody("130"), 415 },
        { "application/xml", "POST", "/api/pods/web-1", "application/xml", PodBody(""), 415 },
        { "form", "POST", "/api/nodes/node-1/batch", "application/x-www-form-urlencoded", Batch(""), 415 },
        { "JSON in latin1", "POST", "/api/nodes/node-1", "application/json; charset=iso-8859-1", NodeBody("130"), 415 },
        // Methods not listed
        { "PUT node", "PUT", "/api/nodes/node-1", Json, NodeBody("130"), 405 },
        { "DELETE pod", "DELETE", "/api/pods/web-1", null, null, 405 },
        { "GET batch", "GET", "/api/nodes/node-1/batch", null, null, 405 },
        { "PATCH namespace", "PATCH", "/api/namespaces/shop", Json, "{}", 405 },
        { "POST nodes list", "POST", "/api/nodes", Json, NodeBody("130"), 405 },
        // Queries
        { "window=0", "GET", "/api/nodes/node-1?window=0", null, null, 400 },
        { "window=-1", "GET", "/api/nodes/node-1?window=-1", null, null, 400 },
        { "window=abc", "GET", "/api/pods/web-1?window=abc", null, null, 400 },
        { "window=1e9", "GET", "/api/namespaces/shop?window=1e9", null, null, 400 },
        { "window past the retention", "GET", "/api/nodes/node-1?window=3601", null, null, 400 },
        { "window=1.5", "GET", "/api/nodes/node-1?window=1.5", null, null, 400 },
        { "window empty", "GET", "/api/nodes/node-1?window=", null, null, 400 },
        { "window twice", "GET", "/api/nodes/node-1?window=5&window=6", null, null, 400 },
        { "window of 2^31", "GET", "/api/nodes/node-1?window=2147483648", null, null, 400 },
        { "step=0", "GET", "/api/nodes/node-1?window=60&step=0", null, null, 400 },
        { "step past the window", "GET", "/api/namespaces/shop/deployments/web?window=60&step=61", null, null, 400 },
        { "step=abc", "GET", "/api/namespaces/shop?window=60&step=abc", null, null, 400 },
        { "namespace filter not a label", "GET", "/api/pods?namespace=Sh_op", null, null, 400 },
        { "node query name not a name", "GET", "/api/nodes/NODE", null, null, 400 },
        { "namespace path with a dot", "GET", "/api/namespaces/a.b", null, null, 400 },
        // Unknown
        { "unknown path", "GET", "/api/widgets", null, null, 404 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_request_is_a_4xx_problem_and_stores_nothing(string name, string method, string path, string? contentType, string? body, int status)
    {
        Assert.NotNull(name);
        var before = await seeded.FingerprintAsync();

        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            var bytes = body switch
            {
                "<2MB>" => Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 2 * 1024 * 1024) + "\"}"),
                "<bad-utf8>" => [.. Encoding.UTF8.GetBytes(NodeBody("130")[..^1] + ",\"note\":\""), 0xFF, 0xFE, .. "\"}"u8],
                _ => Encoding.UTF8.GetBytes(body),
            };
            request.Content = new ByteArrayContent(bytes);
            if (contentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        using var response = await seeded.Facade.CreateClient().SendAsync(request);
        await FacadeFactory.AssertProblemAsync(response, status);

        Assert.Equal(before, await seeded.FingerprintAsync());
    }

    [Fact]
    public void The_table_has_at_least_40_cases() => Assert.True(Cases.Count >= 40, $"{Cases.Count} cases");

    [Fact]
    public async Task A_body_without_length_is_cut_off_at_the_limit_too()
    {
        var before = await seeded.FingerprintAsync();
        var payload = Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 2 * 1024 * 1024) + "\"}");
        using var content = new StreamContent(new NoLengthStream(payload));
        content.Headers.ContentType = new MediaTypeHeaderValue(Json);
        using var response = await seeded.Facade.CreateClient().PostAsync(new Uri("/api/nodes/node-1", UriKind.Relative), content);
        Assert.Null(content.Headers.ContentLength);
        await FacadeFactory.AssertProblemAsync(response, 413);
        Assert.Equal(before, await seeded.FingerprintAsync());
    }

    [Fact]
    public async Task A_batch_with_one_bad_pod_names_it_and_stores_none_of_the_others()
    {
        var before = await seeded.FingerprintAsync();
        var body = $$$"""
            {"timestamp":"{{{Now}}}","node":{"cpu":{"usageSecondsTotal":130}},"pods":[
              {"name":"web-1","namespace":"shop","cpu":{"usageSecondsTotal":20}},
              {"name":"fresh-pod","namespace":"shop","cpu":{"usageSecondsTotal":1}},
              {"name":"broken-pod","namespace":"shop","memory":{"usageBytes":-5}}]}
            """;
        using var response = await seeded.Facade.PostJsonAsync("/api/nodes/node-1/batch", body);
        var problem = await FacadeFactory.AssertProblemAsync(response, 400);
        Assert.Contains("broken-pod", (string)problem["detail"]!, StringComparison.Ordinal);
        Assert.Contains("pods[2]", (string)problem["detail"]!, StringComparison.Ordinal);
        Assert.Equal(before, await seeded.FingerprintAsync());
    }

    [Theory]
    [InlineData("/api/pods/web-1", """{"namespace":"shop","containers":[{"name":"app","memory":{"workingSetBytes":-1}}]}""",
        "pod 'web-1': containers[0]: memory.workingSetBytes must be a number from 0 to 2^64, got -1.")]
    [InlineData("/api/nodes/node-1/batch", """{"pods":[{"name":"web-1","namespace":"shop"},{"name":"web-2","namespace":"shop","containers":[{"name":"app"},{"name":"app"}]}]}""",
        "pods[1] ('shop/web-2'): containers[1]: container 'app' appears twice.")]
    [InlineData("/api/nodes/node-1/batch", """{"pods":[{"name":"web-1","namespace":"shop","ownerName":"Web"}]}""",
        "pods[0] ('shop/web-1'): ownerName 'Web' is not a DNS-1123 subdomain.")]
    [InlineData("/api/nodes/node-1", """{"cpu":{"usageSecondsTotal":-2}}""",
        "node: cpu.usageSecondsTotal must be a number from 0 to 2^64, got -2.")]
    public async Task A_bad_value_is_named_by_where_it_sits_in_the_push(string path, string body, string detail)
    {
        using var response = await seeded.Facade.PostJsonAsync(path, body);
        Assert.Equal(detail, (string?)(await FacadeFactory.AssertProblemAsync(response, 400))["detail"]);
    }

    [Fact]
    public async Task A_bad_label_is_a_400_naming_the_label_and_the_rule()
    {
        var before = await seeded.FingerprintAsync();
        using var key = await seeded.Facade.PostJsonAsync("/api/pods/web-1", PodBody(""","labels":{"app":"web","team_x/y":"a"}"""));
        var keyProblem = await FacadeFactory.AssertProblemAsync(key, 400);
        Assert.Contains("'team_x/y'", (string)keyProblem["detail"]!, StringComparison.Ordinal);
        Assert.Contains("label key", (string)keyProblem["detail"]!, StringComparison.Ordinal);

        using var value = await seeded.Facade.PostJsonAsync("/api/nodes/node-1/batch", Batch("""{"name":"web-1","namespace":"shop","labels":{"tier":"front end"}}"""));
        var valueProblem = await FacadeFactory.AssertProblemAsync(value, 400);
        Assert.Contains("pods[0]", (string)valueProblem["detail"]!, StringComparison.Ordinal);
        Assert.Contains("'tier'", (string)valueProblem["detail"]!, StringComparison.Ordinal);
        Assert.Contains("'front end'", (string)valueProblem["detail"]!, StringComparison.Ordinal);

        using var limit = await seeded.Facade.PostJsonAsync("/api/pods/web-1", PodBody(""","resources":{"memoryLimitBytes":-2}"""));
        Assert.Contains("resources.memoryLimitBytes", (string)(await FacadeFactory.AssertProblemAsync(limit, 400))["detail"]!, StringComparison.Ordinal);
        Assert.Equal(before, await seeded.FingerprintAsync());
    }

    [Fact]
    public async Task Rejections_are_counted_by_reason()
    {
        using var bad = await seeded.Facade.PostJsonAsync("/api/nodes/node-1", NodeBody("\"7\""), "text/plain");
        Assert.Equal(415, (int)bad.StatusCode);
        var metrics = await seeded.Facade.CreateClient().GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Matches("kubemonitor_facade_pushes_rejected_total\\{reason=\"unsupported_media_type\"\\} [1-9]", metrics);
    }

    /// <summary>A stream that does not tell its length, so the client sends it chunked.</summary>
    private sealed class NoLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

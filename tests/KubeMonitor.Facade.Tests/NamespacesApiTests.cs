using System.Text.Json.Nodes;
using KubeMonitor.Facade.Tests.Prometheus;

namespace KubeMonitor.Facade.Tests;

/// <summary>The namespace and deployment endpoints over either query source (the sealed classes at the end).</summary>
public abstract class NamespacesApiTests(Func<Dictionary<string, string?>?, FacadeFactory> newFacade) : IDisposable
{
    private readonly FacadeFactory _facade = newFacade(null);

    public void Dispose()
    {
        _facade.Dispose();
        GC.SuppressFinalize(this);
    }

    private static double?[] Field(JsonArray points, string section, string field) =>
        points.Select(p => (double?)p![section]![field]).ToArray();

    /// <summary>
    /// shop: web-...-aaaaa (cpu 1 core, ws 150, rx 100/s), web-...-bbbbb (0.5, 70, rx 200/s),
    /// api-0 (StatefulSet; 3 cores, ws 1000, no network); kube-system: dns (deployment sent).
    /// </summary>
    private async Task PushLatestAsync()
    {
        for (var i = 0; i < 2; i++)
        {
            double t = i * 10;
            _facade.SetTime(t);
            await _facade.PushAsync("/api/nodes/node-1/batch", new
            {
                timestamp = FacadeFactory.At(t),
                pods = new[]
                {
                    Bodies.Pod(t, "shop", 10 + i * 10, 100 + i * 50, 200 + i * 100, name: "web-7c9f8d6b5-aaaaa",
                        ownerKind: "ReplicaSet", ownerName: "web-7c9f8d6b5", rx: i * 1000, tx: i * 500),
                    Bodies.Pod(t, "shop", 5 + i * 5, 50 + i * 20, 80 + i * 10, name: "web-7c9f8d6b5-bbbbb",
                        ownerKind: "ReplicaSet", ownerName: "web-7c9f8d6b5", rx: i * 2000, tx: 0),
                    Bodies.Pod(t, "shop", i * 30, 1000, 1000, name: "api-0", ownerKind: "StatefulSet", ownerName: "api"),
                    Bodies.Pod(t, "kube-system", i, 10, 10, name: "dns-abc", ownerKind: "ReplicaSet", ownerName: "nodash", deployment: "coredns"),
                },
            });
        }
    }

    [Fact]
    public async Task Namespace_view_sums_its_live_pods_and_null_stays_null()
    {
        await PushLatestAsync();
        var shop = await _facade.GetJsonAsync("/api/namespaces/shop");
        Assert.Equal("shop", (string?)shop["name"]);
        Assert.Equal(3, (int)shop["podCount"]!);
        Assert.Equal(["api-0", "web-7c9f8d6b5-aaaaa", "web-7c9f8d6b5-bbbbb"], shop["pods"]!.AsArray().Select(p => (string?)p));
        Assert.Equal(4.5, (double)shop["cpu"]!["usageCores"]!, 12);
        Assert.Equal(1220.0, (double)shop["memory"]!["workingSetBytes"]!);
        Assert.Equal(1390.0, (double)shop["memory"]!["usageBytes"]!);
        Assert.Equal(300.0, (double)shop["network"]!["rxBytesPerSecond"]!, 12);
        Assert.Equal(50.0, (double)shop["network"]!["txBytesPerSecond"]!, 12);
        Assert.Null(shop["disk"]!["readBytesPerSecond"]); // no pod sends disk

        var all = await _facade.GetJsonAsync("/api/namespaces");
        Assert.Equal(["kube-system", "shop"], all["items"]!.AsArray().Select(n => (string?)n!["name"]));
        var pods = await _facade.GetJsonAsync("/api/namespaces/kube-system/pods");
        Assert.Equal(["dns-abc"], pods["items"]!.AsArray().Select(p => (string?)p!["name"]));
        await _facade.GetProblemAsync("/api/namespaces/nope", 404);
        await _facade.GetProblemAsync("/api/namespaces/nope/pods", 404);
        await _facade.GetProblemAsync("/api/namespaces/nope/deployments", 404);
    }

    [Fact]
    public async Task Deployments_are_resolved_from_the_sample_or_the_replicaset_name()
    {
        await PushLatestAsync();
        var shop = (await _facade.GetJsonAsync("/api/namespaces/shop/deployments"))["items"]!.AsArray();
        var web = shop.Single()!; // api-0 belongs to a StatefulSet: no deployment
        Assert.Equal("web", (string?)web["name"]);
        Assert.Equal("shop", (string?)web["namespace"]);
        Assert.Equal(2, (int)web["podCount"]!);
        Assert.Equal(1.5, (double)web["cpu"]!["usageCores"]!, 12);
        Assert.Equal(220.0, (double)web["memory"]!["workingSetBytes"]!);

        var dns = await _facade.GetJsonAsync("/api/namespaces/kube-system/deployments/coredns");
        Assert.Equal(["dns-abc"], dns["pods"]!.AsArray().Select(p => (string?)p));
        await _facade.GetProblemAsync("/api/namespaces/shop/deployments/api", 404);
        await _facade.GetProblemAsync("/api/namespaces/kube-system/deployments/nodash", 404);
    }

    /// <summary>
    /// Pod a at 1, 4, 8, 12, 35 s (1 core from its second sample on), pod b at 2, 9, 13 (2 cores),
    /// pod c once at 15; step 10: [0,10) a@8 + b@9, [10,20) a@12 + b@13 + c@15, [20,30) empty, [30,40) a@35.
    /// </summary>
    private async Task PushUnalignedAsync()
    {
        (string Pod, double T, double Cpu, double Ws)[] samples =
        [
            ("a", 1, 0, 10), ("b", 2, 0, 100), ("a", 4, 3, 20), ("a", 8, 7, 30), ("b", 9, 14, 200),
            ("a", 12, 11, 40), ("b", 13, 22, 300), ("c", 15, 5, 1000), ("a", 35, 34, 50),
        ];
        foreach (var (pod, t, cpu, ws) in samples)
        {
            _facade.SetTime(t);
            await _facade.PushAsync($"/api/pods/{pod}", Bodies.Pod(t, "shop", cpu, ws, ws, deployment: pod == "c" ? "other" : "web"));
        }
        _facade.SetTime(40);
    }

    [Fact]
    public async Task Namespace_series_aligns_pods_on_epoch_steps_with_each_pods_last_sample()
    {
        await PushUnalignedAsync();
        var series = await _facade.GetJsonAsync("/api/namespaces/shop?window=40&step=10");

        Assert.Equal("shop", (string?)series["name"]);
        Assert.Equal(40, (int)series["windowSeconds"]!);
        Assert.Equal(10, (int)series["stepSeconds"]!);
        var points = series["points"]!.AsArray();
        Assert.Equal(["2026-11-26T07:00:00Z", "2026-11-26T07:00:10Z", "2026-11-26T07:00:30Z"], points.Select(p => (string?)p!["timestamp"]));
        Assert.Equal([3.0, 3.0, 1.0], Field(points, "cpu", "usageCores"));          // c's one sample has no rate
        Assert.Equal([230.0, 1340.0, 50.0], Field(points, "memory", "workingSetBytes"));
        Assert.Equal([null, null, null], Field(points, "disk", "readBytesPerSecond"));

        var cpu = series["summary"]!["cpu"]!["usageCores"]!;
        Assert.Equal(1.0, (double)cpu["min"]!, 12);
        Assert.Equal(7.0 / 3, (double)cpu["avg"]!, 12);
        Assert.Equal(3.0, (double)cpu["max"]!, 12);
        Assert.Null(series["summary"]!["disk"]!["readBytesPerSecond"]);
    }

    [Fact]
    public async Task Steps_start_at_multiples_of_the_step_since_the_unix_epoch()
    {
        await PushUnalignedAsync();
        var points = (await _facade.GetJsonAsync("/api/namespaces/shop?window=40&step=7"))["points"]!.AsArray();
        var starts = points.Select(p => DateTimeOffset.Parse((string)p!["timestamp"]!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds()).ToList();
        Assert.All(starts, s => Assert.Equal(0, s % 7));
        // Every sample time falls in exactly one labelled step; samples at 1..15 and 35 span these steps.
        long[] sampleTimes = [1, 2, 4, 8, 9, 12, 13, 15, 35];
        var expected = sampleTimes.Select(t => FacadeFactory.Start.AddSeconds(t).ToUnixTimeSeconds() / 7 * 7).Distinct().ToList();
        Assert.Equal(expected, starts);
    }

    [Fact]
    public async Task Deployment_series_aligns_only_its_pods()
    {
        await PushUnalignedAsync();
        var series = await _facade.GetJsonAsync("/api/namespaces/shop/deployments/web?window=40&step=10");
        Assert.Equal("web", (string?)series["name"]);
        Assert.Equal("shop", (string?)series["namespace"]);
        var points = series["points"]!.AsArray();
        Assert.Equal([230.0, 340.0, 50.0], Field(points, "memory", "workingSetBytes")); // c is in "other"
        var other = await _facade.GetJsonAsync("/api/namespaces/shop/deployments/other?window=40");
        Assert.Equal(["2026-11-26T07:00:15Z"], other["points"]!.AsArray().Select(p => (string?)p!["timestamp"]));
    }

    /// <summary>A month-long window with one-second steps, the source's longest window set to a month by <paramref name="monthLongWindow"/>.</summary>
    protected async Task AnswerAMonthLongWindowAsync(Dictionary<string, string?> monthLongWindow)
    {
        using var facade = newFacade(monthLongWindow);
        await facade.PushAsync("/api/pods/a", Bodies.Pod(0, "shop", 1, deployment: "web"));
        await facade.PushAsync("/api/pods/a", Bodies.Pod(10, "shop", 2, deployment: "web"));
        facade.SetTime(10);
        var points = (await facade.GetJsonAsync("/api/namespaces/shop?window=2592000&step=1"))["points"]!.AsArray();
        Assert.Equal([null, 0.1], Field(points, "cpu", "usageCores"));
        var deployment = (await facade.GetJsonAsync("/api/namespaces/shop/deployments/web?window=2592000&step=1"))["points"]!.AsArray();
        Assert.Equal(2, deployment.Count);
    }
}

public sealed class NamespacesApiOnMemoryTests() : NamespacesApiTests(settings => new FacadeFactory(settings))
{
    [Fact]
    public Task A_month_long_window_with_one_second_steps_is_answered_from_the_samples_alone() =>
        AnswerAMonthLongWindowAsync(new() { ["Facade:Retention"] = "30.00:00:00" });
}

public sealed class NamespacesApiOnPrometheusTests() : NamespacesApiTests(settings => new PrometheusFacadeFactory(settings))
{
    [Fact]
    public Task A_month_long_window_with_one_second_steps_is_answered_from_the_samples_alone() =>
        AnswerAMonthLongWindowAsync(new() { ["Facade:Prometheus:MaxWindow"] = "30.00:00:00" });
}

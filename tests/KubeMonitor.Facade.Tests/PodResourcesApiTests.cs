using System.Text.Json.Nodes;
using KubeMonitor.Facade.Tests.Prometheus;

namespace KubeMonitor.Facade.Tests;

/// <summary>
/// docs/api.md section 6 over either query source (the sealed classes at the end): requests and
/// limits, throttling, OOM kills, pressure and labels, each checked against numbers worked out by
/// hand from the two samples below.
/// </summary>
public abstract class PodResourcesApiTests(Func<Dictionary<string, string?>?, FacadeFactory> newFacade) : IDisposable
{
    private readonly FacadeFactory _facade = newFacade(null);

    public void Dispose()
    {
        _facade.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>How this source names a label key (Prometheus: sanitized).</summary>
    protected abstract string KeyAsShown(string key);

    /// <summary>
    /// shop/web-1 (deployment web) at t = 0 and 10 s, its containers app and sidecar; shop/web-2
    /// (web) and shop/db-0 (a StatefulSet) with requests and limits only, shop/free-0 without;
    /// node-1 with labels.
    /// </summary>
    private async Task PushAsync()
    {
        for (var i = 0; i < 2; i++)
        {
            double t = i * 10;
            _facade.SetTime(t);
            await _facade.PushAsync("/api/nodes/node-1/batch", new
            {
                timestamp = FacadeFactory.At(t),
                node = new
                {
                    labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = "node-1", ["topology.kubernetes.io/zone"] = "z1" },
                    cpu = new { usageSecondsTotal = 100 + t, capacityCores = 4 },
                },
                pods = new object[]
                {
                    new
                    {
                        name = "web-1", @namespace = "shop", deployment = "web",
                        labels = new Dictionary<string, string> { ["app"] = "web", ["app.kubernetes.io/name"] = "web", ["tier"] = "frontend" },
                        // Sums of the containers' below.
                        resources = new { cpuRequestCores = 0.375, cpuLimitCores = 0.75, memoryRequestBytes = 384, memoryLimitBytes = 768 },
                        cpu = new { usageSecondsTotal = 100 + 0.3 * t, throttledSecondsTotal = 1 + 0.2 * t, throttledPeriodsTotal = 10 + 3 * t, periodsTotal = 100 + 10 * t },
                        memory = new { workingSetBytes = 192 * (1 + i), usageBytes = 400, oomKillsTotal = 2 + 3 * i },
                        pressure = new
                        {
                            cpu = new { waitingSecondsTotal = 4 + 0.2 * t, stalledSecondsTotal = 1 + 0.05 * t },
                            memory = new { waitingSecondsTotal = 0.1 * t, stalledSecondsTotal = 0.05 * t },
                        },
                        containers = new object[]
                        {
                            new
                            {
                                name = "app",
                                resources = new { cpuRequestCores = 0.25, cpuLimitCores = 0.5, memoryRequestBytes = 256, memoryLimitBytes = 512 },
                                cpu = new { usageSecondsTotal = 50 + 0.2 * t, throttledSecondsTotal = 0.5 + 0.1 * t, throttledPeriodsTotal = 5 + 2 * t, periodsTotal = 50 + 10 * t },
                                memory = new { workingSetBytes = 256, oomKillsTotal = 1 + 2 * i },
                            },
                            new
                            {
                                name = "sidecar",
                                resources = new { cpuRequestCores = 0.125, cpuLimitCores = 0.25, memoryRequestBytes = 128, memoryLimitBytes = 256 },
                                cpu = new { usageSecondsTotal = 10 + 0.05 * t },
                                memory = new { workingSetBytes = 64 },
                            },
                        },
                    },
                    WithResources("web-2", "web", null, 0.5, 1, 1000, 2000),
                    WithResources("db-0", null, "StatefulSet", 1, 2, 4096, 8192),
                    new { name = "free-0", @namespace = "shop", cpu = new { usageSecondsTotal = 1 + t }, memory = new { workingSetBytes = 10 } },
                },
            });
        }
    }

    private static object WithResources(string name, string? deployment, string? ownerKind, double cpuRequest, double cpuLimit, double memoryRequest, double memoryLimit)
    {
        var resources = new { cpuRequestCores = cpuRequest, cpuLimitCores = cpuLimit, memoryRequestBytes = memoryRequest, memoryLimitBytes = memoryLimit };
        return new
        {
            name, @namespace = "shop", deployment, ownerKind, ownerName = ownerKind is null ? null : name[..^2],
            resources, cpu = new { usageSecondsTotal = 1 }, memory = new { workingSetBytes = 10 },
            containers = new[] { new { name = "main", resources } },
        };
    }

    private static double D(JsonNode? node) => (double)node!;

    [Fact]
    public async Task Pod_view_has_requests_limits_utilizations_throttling_oom_kills_and_pressure()
    {
        await PushAsync();
        var pod = await _facade.GetJsonAsync("/api/pods/web-1?namespace=shop");

        var cpu = pod["cpu"]!;
        Assert.Equal(0.375, D(cpu["requestCores"]));
        Assert.Equal(0.75, D(cpu["limitCores"]));
        Assert.Equal(0.3 / 0.75, D(cpu["limitUtilization"]), 12);        // 3 s in 10 s over 0.75 core
        Assert.Equal(0.2, D(cpu["throttledSecondsPerSecond"]), 12);      // 1 -> 3 s in 10 s
        Assert.Equal(30.0 / 100, D(cpu["throttledPeriodsRatio"]), 12);   // 30 of 100 periods
        Assert.Equal(3.0, D(cpu["throttledSecondsTotal"]), 12);
        Assert.Equal(40.0, D(cpu["throttledPeriodsTotal"]));
        Assert.Equal(200.0, D(cpu["periodsTotal"]));

        var memory = pod["memory"]!;
        Assert.Equal(384.0, D(memory["requestBytes"]));
        Assert.Equal(768.0, D(memory["limitBytes"]));
        Assert.Equal(384.0 / 768, D(memory["limitUtilization"]), 12);
        Assert.Equal(3.0, D(memory["oomKills"]));                        // 2 -> 5: kills in the interval, not per second
        Assert.Equal(5.0, D(memory["oomKillsTotal"]));

        var pressure = pod["pressure"]!;
        Assert.Equal(0.2, D(pressure["cpu"]!["waitingSecondsPerSecond"]), 12);
        Assert.Equal(0.05, D(pressure["cpu"]!["stalledSecondsPerSecond"]), 12);
        Assert.Equal(0.1, D(pressure["memory"]!["waitingSecondsPerSecond"]), 12);
        Assert.Equal(0.05, D(pressure["memory"]!["stalledSecondsPerSecond"]), 12);
        Assert.Equal(6.0, D(pressure["cpu"]!["waitingSecondsTotal"]), 12);
        Assert.Null(pressure["io"]);                                     // the kernel sent no io.pressure

        var containers = pod["containers"]!.AsArray();
        var app = containers[0]!;
        Assert.Equal("app", (string?)app["name"]);
        Assert.Equal(0.25, D(app["cpu"]!["requestCores"]));
        Assert.Equal(0.2 / 0.5, D(app["cpu"]!["limitUtilization"]), 12);
        Assert.Equal(0.1, D(app["cpu"]!["throttledSecondsPerSecond"]), 12);
        Assert.Equal(20.0 / 100, D(app["cpu"]!["throttledPeriodsRatio"]), 12);
        Assert.Equal(256.0 / 512, D(app["memory"]!["limitUtilization"]), 12);
        Assert.Equal(2.0, D(app["memory"]!["oomKills"]));
        var sidecar = containers[1]!;
        Assert.Equal(0.05 / 0.25, D(sidecar["cpu"]!["limitUtilization"]), 12);
        Assert.Null(sidecar["cpu"]!["throttledPeriodsRatio"]);           // no throttling counters sent
        Assert.Null(sidecar["memory"]!["oomKills"]);

        var limited = await _facade.GetJsonAsync("/api/pods/web-2?namespace=shop");
        Assert.Equal(10.0 / 2000, D(limited["memory"]!["limitUtilization"]), 12);
        Assert.Equal(0.0, D(limited["cpu"]!["limitUtilization"]));       // idle: 0, not null

        // Without limits, throttling, OOM or pressure counters: nulls, not 0.
        var free = await _facade.GetJsonAsync("/api/pods/free-0?namespace=shop");
        Assert.Equal(1.0, D(free["cpu"]!["usageCores"]), 12);
        Assert.Null(free["cpu"]!["requestCores"]);
        Assert.Null(free["cpu"]!["limitUtilization"]);
        Assert.Null(free["memory"]!["limitUtilization"]);
        Assert.Null(free["cpu"]!["throttledSecondsPerSecond"]);
        Assert.Null(free["memory"]!["oomKills"]);
        Assert.Null(free["pressure"]);
    }

    [Fact]
    public async Task Pod_series_points_and_summary_carry_the_new_values()
    {
        await PushAsync();
        var series = await _facade.GetJsonAsync("/api/pods/web-1?namespace=shop&window=20&step=10");
        var points = series["points"]!.AsArray();
        Assert.Equal(2, points.Count);
        Assert.Null(points[0]!["memory"]!["oomKills"]);                  // the first sample has no interval
        Assert.Null(points[0]!["cpu"]!["throttledPeriodsRatio"]);
        Assert.Equal(3.0, D(points[1]!["memory"]!["oomKills"]));
        Assert.Equal(0.2, D(points[1]!["pressure"]!["cpu"]!["waitingSecondsPerSecond"]), 12);
        Assert.Equal(2.0, D(points[1]!["containers"]![0]!["memory"]!["oomKills"]));

        var summary = series["summary"]!;
        var memoryUtilization = summary["memory"]!["limitUtilization"]!;  // 192/768 and 384/768
        Assert.Equal(0.25, D(memoryUtilization["min"]), 12);
        Assert.Equal(0.375, D(memoryUtilization["avg"]), 12);
        Assert.Equal(0.5, D(memoryUtilization["max"]), 12);
        Assert.Equal(0.3, D(summary["cpu"]!["throttledPeriodsRatio"]!["max"]), 12);
        Assert.Equal(3.0, D(summary["memory"]!["oomKills"]!["avg"]));
        Assert.Equal(0.05, D(summary["pressure"]!["memory"]!["stalledSecondsPerSecond"]!["min"]), 12);
        Assert.Null(summary["pressure"]!["io"]!["waitingSecondsPerSecond"]);
        Assert.Null(summary["cpu"]!["throttledSecondsTotal"]);           // totals are not summarised
    }

    [Fact]
    public async Task Namespace_and_deployment_views_sum_requests_and_limits()
    {
        await PushAsync();
        var shop = await _facade.GetJsonAsync("/api/namespaces/shop");
        Assert.Equal(0.375 + 0.5 + 1, D(shop["cpu"]!["requestCores"]));
        Assert.Equal(0.75 + 1 + 2, D(shop["cpu"]!["limitCores"]));
        Assert.Equal(384.0 + 1000 + 4096, D(shop["memory"]!["requestBytes"]));
        Assert.Equal(768.0 + 2000 + 8192, D(shop["memory"]!["limitBytes"]));

        var web = await _facade.GetJsonAsync("/api/namespaces/shop/deployments/web");
        Assert.Equal(0.375 + 0.5, D(web["cpu"]!["requestCores"]));
        Assert.Equal(0.75 + 1, D(web["cpu"]!["limitCores"]));
        Assert.Equal(384.0 + 1000, D(web["memory"]!["requestBytes"]));
        Assert.Equal(768.0 + 2000, D(web["memory"]!["limitBytes"]));

        var series = await _facade.GetJsonAsync("/api/namespaces/shop/deployments/web?window=20&step=10");
        Assert.All(series["points"]!.AsArray(), p => Assert.Equal(1.75, D(p!["cpu"]!["limitCores"])));
        Assert.Equal(1384.0, D(series["summary"]!["memory"]!["requestBytes"]!["max"]));
        var namespaceSeries = await _facade.GetJsonAsync("/api/namespaces/shop?window=20&step=10");
        Assert.All(namespaceSeries["points"]!.AsArray(), p => Assert.Equal(1.875, D(p!["cpu"]!["requestCores"])));
    }

    [Fact]
    public async Task Labels_are_the_newest_samples_and_an_older_sample_changes_nothing()
    {
        async Task PushAsync(double t, string version)
        {
            _facade.SetTime(Math.Max(t, 10));
            await _facade.PushAsync("/api/pods/p", new
            {
                timestamp = FacadeFactory.At(t), @namespace = "ns",
                labels = new Dictionary<string, string> { ["version"] = version },
                cpu = new { usageSecondsTotal = t },
            });
        }
        await PushAsync(0, "v1");
        await PushAsync(10, "v2");
        await PushAsync(5, "late"); // older than the newest: not stored (a retry), its labels ignored
        Assert.Equal("v2", (string?)(await _facade.GetJsonAsync("/api/pods/p"))["labels"]!["version"]);
        Assert.Single((await _facade.GetJsonAsync("/api/pods?labelSelector=version%3Dv2"))["items"]!.AsArray());
        Assert.Empty((await _facade.GetJsonAsync("/api/pods?labelSelector=version%3Dv1"))["items"]!.AsArray());
    }

    [Fact]
    public async Task Labels_of_pods_and_nodes_round_trip()
    {
        await PushAsync();
        var pod = await _facade.GetJsonAsync("/api/pods/web-1?namespace=shop");
        var labels = pod["labels"]!.AsObject();
        Assert.Equal([KeyAsShown("app"), KeyAsShown("app.kubernetes.io/name"), KeyAsShown("tier")], labels.Select(l => l.Key).Order(StringComparer.Ordinal));
        Assert.Equal("web", (string?)labels[KeyAsShown("app.kubernetes.io/name")]);
        Assert.Equal("frontend", (string?)labels["tier"]);
        var series = await _facade.GetJsonAsync("/api/pods/web-1?namespace=shop&window=20");
        Assert.Equal(labels.ToJsonString(), series["labels"]!.ToJsonString());
        Assert.Null((await _facade.GetJsonAsync("/api/pods/web-2?namespace=shop"))["labels"]); // none sent

        var node = await _facade.GetJsonAsync("/api/nodes/node-1");
        Assert.Equal("z1", (string?)node["labels"]![KeyAsShown("topology.kubernetes.io/zone")]);
        Assert.Equal(2, node["labels"]!.AsObject().Count);
    }
}

public sealed class PodResourcesApiOnMemoryTests() : PodResourcesApiTests(settings => new FacadeFactory(settings))
{
    protected override string KeyAsShown(string key) => key;

    /// <summary>The bound is 64 labels (65 is a 400, BadRequestTests); an empty value is a value (a Prometheus source drops it).</summary>
    [Fact]
    public async Task Sixty_four_labels_and_empty_values_are_kept()
    {
        using var facade = new FacadeFactory();
        var labels = Enumerable.Range(0, 64).ToDictionary(i => $"k{i}", i => i == 0 ? "" : $"v{i}");
        await facade.PushAsync("/api/pods/p", new { @namespace = "ns", labels, cpu = new { usageSecondsTotal = 1 } });
        var shown = (await facade.GetJsonAsync("/api/pods/p"))["labels"]!.AsObject();
        Assert.Equal(64, shown.Count);
        Assert.Equal("", (string?)shown["k0"]);
        Assert.Equal(["ns/p"], (await facade.GetJsonAsync("/api/pods?labelSelector=k0%3D"))["items"]!.AsArray().Select(p => $"{p!["namespace"]}/{p["name"]}"));
    }
}

public sealed class PodResourcesApiOnPrometheusTests() : PodResourcesApiTests(settings => new PrometheusFacadeFactory(settings))
{
    protected override string KeyAsShown(string key) => string.Concat(key.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_'));
}

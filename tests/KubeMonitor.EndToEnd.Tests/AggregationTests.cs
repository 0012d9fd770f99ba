using System.Text.Json.Nodes;
using KubeMonitor.EndToEnd.Tests.Support;
using static KubeMonitor.EndToEnd.Tests.EndToEndEnvironment;

namespace KubeMonitor.EndToEnd.Tests;

public sealed partial class EndToEndTests
{
    /// <summary>Report check 4: the pod list names every pod with its namespace, node, uid and deployment.</summary>
    [Fact]
    public async Task Pod_list_has_every_pod_with_its_kubernetes_names()
    {
        var items = (await env.GetAsync("/api/pods"))["items"]!.AsArray().Select(item => item!).ToList();
        Assert.Equal(env.Pods.Select(p => p.Name).Order(), items.Select(i => (string)i["name"]!).Order());
        foreach (var pod in env.Pods)
        {
            var item = items.Single(i => (string)i["name"]! == pod.Name);
            Assert.Equal(pod.Namespace, (string)item["namespace"]!);
            Assert.Equal(Node, (string)item["node"]!);
            Assert.Equal(pod.Cgroups.PodUid, (string)item["uid"]!);
            Assert.Equal(pod.Deployment, (string?)item["deployment"]);
            Assert.Equal("app", (string)item["containers"]![0]!["name"]!);
        }

        // Every collector of the shipped exporter works on this host (node, pods, Kubernetes metadata...).
        var success = PromText.Series(await env.ExporterMetricsAsync(), "kubemonitor_exporter_collector_success");
        Assert.NotEmpty(success);
        Assert.All(success, series => Assert.True(series.Value == 1, $"collector {series.Labels} failed\n{env.Diagnostics}"));

        var inNamespace = (await env.GetAsync($"/api/pods?namespace={TestNamespace}"))["items"]!.AsArray();
        Assert.Equal(new[] { env.Stressed.Name, env.Server.Name }.Order(), inNamespace.Select(i => (string)i!["name"]!).Order());
        var namespacePods = (await env.GetAsync($"/api/namespaces/{TestNamespace}/pods"))["items"]!.AsArray();
        Assert.Equal(new[] { env.Stressed.Name, env.Server.Name }.Order(), namespacePods.Select(i => (string)i!["name"]!).Order());
    }

    /// <summary>Report check 5: namespace and deployment views are the sums of their live pods.</summary>
    [Theory]
    [InlineData("/api/namespaces/test-ns")]
    [InlineData("/api/namespaces/test-ns/deployments/test-dep")]
    public async Task Namespace_and_deployment_views_sum_their_pods(string path)
    {
        var read = await AggregateWithItsPodsAsync(path, env.Stressed, env.Server);
        Assert.Equal(2, (int)read.Aggregate["podCount"]!);
        Assert.Equal(new[] { env.Stressed.Name, env.Server.Name }.Order(), read.Aggregate["pods"]!.AsArray().Select(n => (string)n!).Order());
        foreach (var (section, field) in SummedFields)
        {
            var sum = read.Pods.Sum(p => Number(p, section, field)!.Value);
            Assert.Equal(sum, Number(read.Aggregate, section, field)!.Value, 6);
        }

        var deployments = (await env.GetAsync($"/api/namespaces/{TestNamespace}/deployments"))["items"]!.AsArray();
        var deployment = Assert.Single(deployments)!;
        Assert.Equal(DeploymentName, (string)deployment["name"]!);
        Assert.Equal(TestNamespace, (string)deployment["namespace"]!);
        Assert.Equal(2, (int)deployment["podCount"]!);
    }

    private static readonly (string Section, string Field)[] SummedFields =
    [
        ("cpu", "usageCores"), ("memory", "workingSetBytes"), ("memory", "usageBytes"),
        ("network", "rxBytesPerSecond"), ("network", "txBytesPerSecond"),
    ];

    /// <summary>Report check 6: ?window=60 on a node and a pod lists their samples of the last minute, oldest first.</summary>
    [Theory]
    [InlineData("node")]
    [InlineData("pod")]
    public async Task Window_on_node_and_pod_lists_the_samples_of_the_window(string kind)
    {
        var path = kind == "node" ? $"/api/nodes/{Node}?window=60" : $"/api/pods/{env.Stressed.Name}?namespace={TestNamespace}&window=60";
        // Enough history for several points: the environment may have just started.
        await PodSampleAtOrAfter(env.Stressed, DateTime.UtcNow.AddSeconds(4));
        var asked = DateTime.UtcNow;
        var series = await env.GetAsync(path);
        var answered = DateTime.UtcNow;

        Assert.Equal(60, (int)series["windowSeconds"]!);
        var stamps = Points(series).Select(Timestamp).ToList();
        Assert.True(stamps.Count >= 4, $"{stamps.Count} points");
        Assert.True(stamps.Count <= 61 / Interval.TotalSeconds + 1, $"{stamps.Count} points in 60 s at one per {Interval.TotalSeconds} s");
        Assert.Equal(stamps.Order(), stamps);
        Assert.Equal(stamps.Count, stamps.Distinct().Count());
        Assert.All(stamps, t => Assert.InRange(t, asked.AddSeconds(-60.5), answered));
        // The newest point is the latest view's sample (or one collection older than a new one).
        var latest = await env.GetAsync(kind == "node" ? $"/api/nodes/{Node}" : $"/api/pods/{env.Stressed.Name}?namespace={TestNamespace}");
        Assert.InRange(Timestamp(latest) - stamps[^1], TimeSpan.Zero, 2 * Interval);
        var cpu = Points(series).Skip(1).Select(p => Number(p, "cpu", "usageCores")).ToList();
        Assert.All(cpu, value => Assert.True(value is >= 0, $"cpu.usageCores {value}"));
        var summary = series["summary"]!["cpu"]!["usageCores"]!;
        Assert.Equal(cpu.Min()!.Value, (double)summary["min"]!, 9);
        Assert.Equal(cpu.Max()!.Value, (double)summary["max"]!, 9);
    }

    /// <summary>
    /// Report check 6 for aggregates: ?window=60 on the namespace and the deployment gives one
    /// point per 5 s step (aligned on the epoch) whose values are the sums of each pod's last
    /// sample in that step, as the pods' own series show them.
    /// </summary>
    [Theory]
    [InlineData("/api/namespaces/test-ns?window=60")]
    [InlineData("/api/namespaces/test-ns/deployments/test-dep?window=60")]
    public async Task Window_on_namespace_and_deployment_sums_each_pods_last_sample_per_step(string path)
    {
        await PodSampleAtOrAfter(env.Stressed, DateTime.UtcNow.AddSeconds(11));
        var series = await env.GetAsync(path);
        var stressed = await env.PodAsync(env.Stressed, "&window=70");
        var server = await env.PodAsync(env.Server, "&window=70");

        Assert.Equal(60, (int)series["windowSeconds"]!);
        var step = (int)series["stepSeconds"]!;
        Assert.Equal(5, step);
        var points = Points(series).ToList();
        Assert.True(points.Count >= 2, $"{points.Count} steps");
        Assert.All(points, p => Assert.Equal(0, new DateTimeOffset(Timestamp(p)).ToUnixTimeSeconds() % step));
        Assert.Equal(points.Select(Timestamp).Order(), points.Select(Timestamp));

        // Steps cut by the window's start or still filling at the end are left out of the comparison.
        var compared = 0;
        foreach (var point in points.Skip(1).SkipLast(1))
        {
            var stepStart = Timestamp(point);
            var stepEnd = stepStart.AddSeconds(step);
            double sum = 0;
            foreach (var pod in new[] { stressed, server })
            {
                var last = Points(pod).Last(p => Timestamp(p) >= stepStart && Timestamp(p) < stepEnd);
                sum += Number(last, "memory", "workingSetBytes")!.Value;
            }
            Assert.Equal(sum, Number(point, "memory", "workingSetBytes")!.Value, 0);
            var cpuSum = new[] { stressed, server }
                .Select(pod => Number(Points(pod).Last(p => Timestamp(p) >= stepStart && Timestamp(p) < stepEnd), "cpu", "usageCores"))
                .Sum(value => value ?? 0);
            Assert.Equal(cpuSum, Number(point, "cpu", "usageCores")!.Value, 6);
            compared++;
        }
        Assert.True(compared >= 1);
    }
}

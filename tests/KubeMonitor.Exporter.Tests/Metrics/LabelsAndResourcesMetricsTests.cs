using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Metrics;
using KubeMonitor.Exporter.Tests.Support;
using Prometheus;

namespace KubeMonitor.Exporter.Tests.Metrics;

/// <summary>docs/api.md section 6 on /metrics: labels, requests and limits, and the pod cgroup's throttling and OOM kills.</summary>
public sealed class LabelsAndResourcesMetricsTests
{
    private readonly ExporterMetrics _metrics = new(Prometheus.Metrics.NewCustomRegistry());

    private static PodSnapshot Pod(string uid, PodMetadata? metadata, CgroupStats? stats = null, params ContainerSnapshot[] containers) =>
        new() { Uid = uid, QosClass = "burstable", Stats = stats ?? new CgroupStats(), Containers = containers, Metadata = metadata };

    private static PodMetadata Metadata(string name, IReadOnlyDictionary<string, string>? labels, params ContainerResources[] containers) =>
        new(name, "shop", "uid-" + name, null, null, null, new Dictionary<string, string>()) { Labels = labels, Containers = containers };

    private void Publish(NodeSnapshot snapshot) => _metrics.Publish(new CollectionResult(snapshot, []) { Sequence = ++_sequence });

    private long _sequence;

    private static NodeSnapshot Snapshot(IReadOnlyDictionary<string, string>? nodeLabels, params PodSnapshot[] pods) =>
        new() { NodeName = "node-1", Timestamp = DateTimeOffset.UnixEpoch, Labels = nodeLabels, Pods = pods };

    private Task<string> TextAsync(ExpositionFormat format = ExpositionFormat.PrometheusText) => Exposition.TextAsync(_metrics.Registry, format);

    [Fact]
    public async Task Pods_and_the_node_carry_their_labels_each_with_its_own_label_names_under_one_family()
    {
        Publish(Snapshot(
            new Dictionary<string, string> { ["kubernetes.io/hostname"] = "node-1", ["node-role.kubernetes.io/control-plane"] = "" },
            Pod("u1", Metadata("web-1", new Dictionary<string, string> { ["app"] = "web", ["app.kubernetes.io/version"] = "1.2" })),
            Pod("u2", Metadata("db-0", new Dictionary<string, string> { ["statefulset.kubernetes.io/pod-name"] = "db-0" })),
            Pod("u3", Metadata("bare", new Dictionary<string, string>())),
            Pod("u4", Metadata("unknown", labels: null)),     // labels not known: no series
            Pod("u5", metadata: null)));                      // no metadata at all: no series

        var text = await TextAsync();

        Assert.Equal(
            [
                "# HELP kubemonitor_pod_labels Always 1: the pod's Kubernetes labels as label_<key> (key characters outside [a-zA-Z0-9_] made _, as kube-state-metrics does); join on namespace and pod. Absent while the Kubernetes API is not known.",
                "# TYPE kubemonitor_pod_labels gauge",
                "kubemonitor_pod_labels{namespace=\"shop\",pod=\"bare\",node=\"node-1\"} 1",
                "kubemonitor_pod_labels{namespace=\"shop\",pod=\"db-0\",node=\"node-1\",label_statefulset_kubernetes_io_pod_name=\"db-0\"} 1",
                "kubemonitor_pod_labels{namespace=\"shop\",pod=\"web-1\",node=\"node-1\",label_app=\"web\",label_app_kubernetes_io_version=\"1.2\"} 1",
            ],
            Sorted(Exposition.Only(text, "kubemonitor_pod_labels")));
        Assert.Equal(
            "kubemonitor_node_labels{node=\"node-1\",label_kubernetes_io_hostname=\"node-1\",label_node_role_kubernetes_io_control_plane=\"\"} 1\n",
            Exposition.Only(text, "kubemonitor_node_labels{"));
        Assert.Equal("", await Promtool.CheckMetricsAsync(text));
        Assert.Contains("kubemonitor_pod_labels{namespace=\"shop\",pod=\"web-1\",node=\"node-1\",label_app=\"web\",label_app_kubernetes_io_version=\"1.2\"} 1.0\n",
            await TextAsync(ExpositionFormat.OpenMetricsText), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changed_labels_replace_the_old_series_and_unknown_node_labels_remove_them()
    {
        Publish(Snapshot(new Dictionary<string, string> { ["zone"] = "a" }, Pod("u1", Metadata("web-1", new Dictionary<string, string> { ["tier"] = "web" }))));
        Publish(Snapshot(null, Pod("u1", Metadata("web-1", new Dictionary<string, string> { ["tier"] = "web", ["canary"] = "true" }))));

        var text = await TextAsync();

        Assert.Equal(
            "kubemonitor_pod_labels{namespace=\"shop\",pod=\"web-1\",node=\"node-1\",label_canary=\"true\",label_tier=\"web\"} 1\n",
            Exposition.Only(text, "kubemonitor_pod_labels{"));
        Assert.Equal("", Exposition.Only(text, "kubemonitor_node_labels{"));
    }

    [Fact]
    public async Task Label_keys_that_sanitize_alike_are_told_apart()
    {
        Publish(Snapshot(null, Pod("u1", Metadata("web-1", new Dictionary<string, string> { ["a.b"] = "dot", ["a/b"] = "slash" }))));

        Assert.Equal(
            "kubemonitor_pod_labels{namespace=\"shop\",pod=\"web-1\",node=\"node-1\",label_a_b_conflict1=\"dot\",label_a_b_conflict2=\"slash\"} 1\n",
            Exposition.Only(await TextAsync(), "kubemonitor_pod_labels{"));
    }

    [Fact]
    public async Task Requests_and_limits_are_served_for_every_container_of_the_spec_and_only_where_set()
    {
        var metadata = Metadata("web-1", null,
            new ContainerResources("app", new RequestsAndLimits(0.25, 0.5, 67_108_864, 134_217_728)),
            new ContainerResources("sidecar", new RequestsAndLimits(0.1, null, null, 33_554_432)),
            new ContainerResources("waiting", new RequestsAndLimits(null, null, null, 1_000_000)));   // in the spec, not running
        Publish(Snapshot(null,
            Pod("u1", metadata, null,
                new ContainerSnapshot { Id = "a", Name = "app", Stats = new CgroupStats { CpuUsageSeconds = 1 } },
                new ContainerSnapshot { Id = "s", Name = "sidecar", Stats = new CgroupStats { CpuUsageSeconds = 1 } }),
            Pod("u2", metadata: null)));

        var text = await TextAsync();

        Assert.Equal(
            """
            kubemonitor_container_cpu_request_cores{namespace="shop",pod="web-1",container="app",node="node-1"} 0.25
            kubemonitor_container_cpu_request_cores{namespace="shop",pod="web-1",container="sidecar",node="node-1"} 0.1
            kubemonitor_container_cpu_limit_cores{namespace="shop",pod="web-1",container="app",node="node-1"} 0.5
            kubemonitor_container_memory_request_bytes{namespace="shop",pod="web-1",container="app",node="node-1"} 67108864
            kubemonitor_container_memory_limit_bytes{namespace="shop",pod="web-1",container="app",node="node-1"} 134217728
            kubemonitor_container_memory_limit_bytes{namespace="shop",pod="web-1",container="sidecar",node="node-1"} 33554432
            kubemonitor_container_memory_limit_bytes{namespace="shop",pod="web-1",container="waiting",node="node-1"} 1000000

            """.ReplaceLineEndings("\n"),
            Exposition.Only(text, "kubemonitor_container_cpu_request_cores{", "kubemonitor_container_cpu_limit_cores{",
                "kubemonitor_container_memory_request_bytes{", "kubemonitor_container_memory_limit_bytes{"));

        // The pod leaves: its resources go with it.
        Publish(Snapshot(null));
        Assert.DoesNotContain("\nkubemonitor_container_memory_limit_bytes{", await TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_pod_cgroups_own_throttling_and_oom_counters_are_served_where_its_files_have_them()
    {
        Publish(Snapshot(null,
            Pod("u1", Metadata("limited", null), new CgroupStats { CpuPeriods = 1200, CpuThrottledPeriods = 1100, CpuThrottledSeconds = 54.5, OomKills = 2 }),
            Pod("u2", Metadata("v1-without-cfs", null), new CgroupStats { CpuUsageSeconds = 3 })));

        Assert.Equal(
            """
            kubemonitor_pod_cpu_throttled_seconds_total{namespace="shop",pod="limited",node="node-1"} 54.5
            kubemonitor_pod_cpu_throttled_periods_total{namespace="shop",pod="limited",node="node-1"} 1100
            kubemonitor_pod_cpu_periods_total{namespace="shop",pod="limited",node="node-1"} 1200
            kubemonitor_pod_oom_kills_total{namespace="shop",pod="limited",node="node-1"} 2

            """.ReplaceLineEndings("\n"),
            Exposition.Only(await TextAsync(), "kubemonitor_pod_cpu_throttled_seconds_total{", "kubemonitor_pod_cpu_throttled_periods_total{",
                "kubemonitor_pod_cpu_periods_total{", "kubemonitor_pod_oom_kills_total{"));
    }

    private static string[] Sorted(string lines) =>
        [.. lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).OrderBy(l => l.StartsWith('#') ? 0 : 1).ThenBy(l => l, StringComparer.Ordinal)];
}

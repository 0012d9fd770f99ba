using System.Text.Json;
using KubeMonitor.Deploy.Tests.Support;

namespace KubeMonitor.Deploy.Tests;

/// <summary>
/// The limit-utilization and per-container panels computed by promtool on hand-made series: each container over
/// its own limit, containers without a limit (no series, or 0) left out, and the tables kept to
/// the chosen deployment. No programs and no load: the live pipeline proves only that they return data.
/// </summary>
public sealed class DashboardLimitTests
{
    private readonly Dashboard _dashboard = new();

    // shop/web-1 and shop/web-2 belong to deployment web, shop/db-0 to db. CPU counters grow by
    // 15, 30, 6 and 60 s a minute (0.25, 0.5, 0.1 and 1 core).
    private const string Series = """
              - series: 'kubemonitor_pod_info{job="kubemonitor-exporter", namespace="shop", pod="web-1", node="n1", deployment="web"}'
                values: '1x10'
              - series: 'kubemonitor_pod_info{job="kubemonitor-exporter", namespace="shop", pod="web-2", node="n1", deployment="web"}'
                values: '1x10'
              - series: 'kubemonitor_pod_info{job="kubemonitor-exporter", namespace="shop", pod="db-0", node="n1", deployment="db"}'
                values: '1x10'
              - series: 'kubemonitor_container_cpu_usage_seconds_total{job="kubemonitor-exporter", namespace="shop", pod="web-1", container="app", node="n1"}'
                values: '0+15x10'
              - series: 'kubemonitor_container_cpu_limit_cores{job="kubemonitor-exporter", namespace="shop", pod="web-1", container="app", node="n1"}'
                values: '0.5x10'
              - series: 'kubemonitor_container_memory_working_set_bytes{job="kubemonitor-exporter", namespace="shop", pod="web-1", container="app", node="n1"}'
                values: '900000000x10'
              - series: 'kubemonitor_container_memory_limit_bytes{job="kubemonitor-exporter", namespace="shop", pod="web-1", container="app", node="n1"}'
                values: '1000000000x10'
              - series: 'kubemonitor_container_cpu_request_cores{job="kubemonitor-exporter", namespace="shop", pod="web-1", container="app", node="n1"}'
                values: '0.25x10'
              - series: 'kubemonitor_container_memory_request_bytes{job="kubemonitor-exporter", namespace="shop", pod="web-1", container="app", node="n1"}'
                values: '500000000x10'
              - series: 'kubemonitor_container_cpu_request_cores{job="kubemonitor-exporter", namespace="shop", pod="web-1", container="sidecar", node="n1"}'
                values: '0x10'
              # The same exporter scraped a second time by an annotation-based job: counted once all the same.
              - series: 'kubemonitor_container_cpu_usage_seconds_total{job="kubernetes-pods", namespace="shop", pod="web-1", container="app", node="n1"}'
                values: '0+15x10'
              - series: 'kubemonitor_container_memory_working_set_bytes{job="kubernetes-pods", namespace="shop", pod="web-1", container="app", node="n1"}'
                values: '900000000x10'
              - series: 'kubemonitor_container_cpu_usage_seconds_total{job="kubemonitor-exporter", namespace="shop", pod="web-1", container="sidecar", node="n1"}'
                values: '0+30x10'
              - series: 'kubemonitor_container_memory_working_set_bytes{job="kubemonitor-exporter", namespace="shop", pod="web-1", container="sidecar", node="n1"}'
                values: '2000000000x10'
              - series: 'kubemonitor_container_cpu_usage_seconds_total{job="kubemonitor-exporter", namespace="shop", pod="web-2", container="app", node="n1"}'
                values: '0+6x10'
              - series: 'kubemonitor_container_cpu_limit_cores{job="kubemonitor-exporter", namespace="shop", pod="web-2", container="app", node="n1"}'
                values: '1x10'
              - series: 'kubemonitor_container_memory_working_set_bytes{job="kubemonitor-exporter", namespace="shop", pod="web-2", container="app", node="n1"}'
                values: '300000000x10'
              - series: 'kubemonitor_container_memory_limit_bytes{job="kubemonitor-exporter", namespace="shop", pod="web-2", container="app", node="n1"}'
                values: '1000000000x10'
              - series: 'kubemonitor_container_cpu_usage_seconds_total{job="kubemonitor-exporter", namespace="shop", pod="web-2", container="log", node="n1"}'
                values: '0+6x10'
              - series: 'kubemonitor_container_cpu_limit_cores{job="kubemonitor-exporter", namespace="shop", pod="web-2", container="log", node="n1"}'
                values: '0x10'
              - series: 'kubemonitor_container_memory_working_set_bytes{job="kubemonitor-exporter", namespace="shop", pod="web-2", container="log", node="n1"}'
                values: '100000000x10'
              - series: 'kubemonitor_container_memory_limit_bytes{job="kubemonitor-exporter", namespace="shop", pod="web-2", container="log", node="n1"}'
                values: '0x10'
              - series: 'kubemonitor_container_cpu_usage_seconds_total{job="kubemonitor-exporter", namespace="shop", pod="db-0", container="db", node="n1"}'
                values: '0+60x10'
              - series: 'kubemonitor_container_cpu_limit_cores{job="kubemonitor-exporter", namespace="shop", pod="db-0", container="db", node="n1"}'
                values: '1x10'
              - series: 'kubemonitor_container_memory_working_set_bytes{job="kubemonitor-exporter", namespace="shop", pod="db-0", container="db", node="n1"}'
                values: '990000000x10'
              - series: 'kubemonitor_container_memory_limit_bytes{job="kubemonitor-exporter", namespace="shop", pod="db-0", container="db", node="n1"}'
                values: '1000000000x10'
        """;

    private static readonly Dictionary<string, string> Variables = new(StringComparer.Ordinal)
    {
        ["datasource"] = "prometheus", ["job"] = "kubemonitor-exporter", ["facade_job"] = "kubemonitor-facade", ["node"] = "n1", ["namespace"] = "shop", ["deployment"] = "web", ["pod"] = "web-1",
        ["__rate_interval"] = "5m", ["__interval"] = "1m", ["__range"] = "10m",
    };

    [Fact]
    public async Task Limit_utilization_is_each_containers_own_and_leaves_out_containers_without_a_limit()
    {
        const string web1App = """{namespace="shop", pod="web-1", container="app"}""";
        const string web1AppOfWeb = """{namespace="shop", pod="web-1", container="app", deployment="web"}""";
        const string web2AppOfWeb = """{namespace="shop", pod="web-2", container="app", deployment="web"}""";
        await AssertPanelsAsync(
            ("CPU limit utilization", [(web1App, "0.5")]),
            ("Memory limit utilization", [(web1App, "0.9")]),
            // db-0 is nearer its limits but in another deployment.
            ("Closest to CPU limit", [(web1AppOfWeb, "0.5"), (web2AppOfWeb, "0.1")]),
            ("Closest to memory limit", [(web1AppOfWeb, "0.9"), (web2AppOfWeb, "0.3")]));
    }

    [Fact]
    public async Task Container_panels_draw_usage_beside_the_request_and_limit_each_container_sets()
    {
        const string app = """{namespace="shop", pod="web-1", container="app"}""";
        const string sidecar = """{namespace="shop", pod="web-1", container="sidecar"}""";
        // The sidecar sets neither (its request is 0, its limit absent): no line for it.
        await AssertPanelsAsync(
            ("CPU by container [A]", [(app, "0.25"), (sidecar, "0.5")]),
            ("CPU by container [B]", [(app, "0.25")]),
            ("CPU by container [C]", [(app, "0.5")]),
            ("Memory by container [A]", [(app, "900000000"), (sidecar, "2000000000")]),
            ("Memory by container [B]", [(app, "500000000")]),
            ("Memory by container [C]", [(app, "1000000000")]));
    }

    /// <summary>Each panel's one query (or "Panel [refId]") at 10m, against exactly these samples (promtool compares them all, in any order).</summary>
    private async Task AssertPanelsAsync(params (string Panel, (string Labels, string Value)[] Samples)[] panels)
    {
        var checks = panels.Select(p =>
        {
            var (panel, refId) = p.Panel.EndsWith(']') ? (p.Panel[..p.Panel.LastIndexOf(" [", StringComparison.Ordinal)], p.Panel[(p.Panel.LastIndexOf('[') + 1)..^1]) : (p.Panel, null);
            var target = Assert.Single(_dashboard.Targets, t => t.Panel == panel && (refId is null || t.RefId == refId));
            var samples = string.Concat(p.Samples.Select(s => $"          - labels: {JsonSerializer.Serialize(s.Labels)}\n            value: {s.Value}\n"));
            return $"      - expr: {JsonSerializer.Serialize(Dashboard.Substitute(target.Expr, Variables))}\n        eval_time: 10m\n        exp_samples:\n{samples}";
        });
        var file = Path.Combine(Path.GetTempPath(), $"kubemonitor-dashboard-limits-{Guid.NewGuid():N}.yaml");
        try
        {
            await File.WriteAllTextAsync(file, $"rule_files: []\ntests:\n  - interval: 1m\n    input_series:\n{Series}\n    promql_expr_test:\n{string.Concat(checks)}");
            await Tool.RunOkAsync("promtool", ["test", "rules", file]);
        }
        finally
        {
            File.Delete(file);
        }
    }
}

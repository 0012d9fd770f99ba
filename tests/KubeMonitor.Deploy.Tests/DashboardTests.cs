using KubeMonitor.Deploy.Tests.Support;

namespace KubeMonitor.Deploy.Tests;

/// <summary>The Grafana dashboard's structure: the JSON alone, no data needed.</summary>
public sealed class DashboardTests
{
    private readonly Dashboard _dashboard = new();

    [Fact]
    public void Has_a_stable_uid_schema_39_and_the_datasource_job_node_namespace_deployment_and_pod_variables()
    {
        Assert.Equal("kubemonitor-overview", (string)_dashboard.Json["uid"]!);
        Assert.Equal(39, (int)_dashboard.Json["schemaVersion"]!);
        var variables = _dashboard.Variables;
        Assert.Equal(["datasource", "job", "facade_job", "node", "namespace", "deployment", "pod"], variables.Select(v => (string)v["name"]!));
        Assert.Equal("datasource", (string)variables[0]["type"]!);
        Assert.Equal("prometheus", (string)variables[0]["query"]!);
        Assert.All(variables.Skip(1), v =>
        {
            Assert.Equal("query", (string)v["type"]!);
            Assert.Equal("${datasource}", (string)v["datasource"]!["uid"]!);
            Dashboard.ParseLabelValues((string)v["query"]!["query"]!);
        });
    }

    [Fact]
    public void Has_the_rows_the_issue_asks_for()
    {
        var rows = _dashboard.Panels.Where(p => (string)p["type"]! == "row").Select(p => (string)p["title"]!).ToList();
        Assert.Collection(rows,
            r => Assert.Equal("Cluster overview", r),
            r => Assert.StartsWith("Node", r, StringComparison.Ordinal),
            r => Assert.StartsWith("Namespace", r, StringComparison.Ordinal),
            r => Assert.StartsWith("Pod", r, StringComparison.Ordinal),
            r => Assert.Equal("KubeMonitor health", r));
        var titles = _dashboard.Panels.Select(p => (string)p["title"]!).ToList();
        foreach (var needed in new[]
        {
            "CPU throttling", "Throttled time", "OOM kills", "Pressure (PSI)", "Memory: working set vs usage", "Top pods by CPU", "Push buffer",
            "CPU limit utilization", "Memory limit utilization", "Closest to CPU limit", "Closest to memory limit",
            "CPU by container", "Memory by container",
        })
        {
            Assert.Contains(needed, titles);
        }
    }

    [Fact]
    public void Throttling_and_oom_panels_read_the_pod_cgroup_as_well_as_the_containers()
    {
        // The kernel throttles whichever of the pod's and the container's quota runs out first, and
        // a container whose main process is OOM-killed loses its cgroup (and series) with the count.
        var expected = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["CPU throttling"] = ["kubemonitor_container_cpu_throttled_periods_total", "kubemonitor_pod_cpu_throttled_periods_total"],
            ["Throttled time"] = ["kubemonitor_container_cpu_throttled_seconds_total", "kubemonitor_pod_cpu_throttled_seconds_total"],
            ["OOM kills"] = ["kubemonitor_container_oom_kills_total", "kubemonitor_pod_oom_kills_total"],
        };
        foreach (var (panel, metrics) in expected)
        {
            var named = _dashboard.Targets.Where(t => t.Panel == panel).SelectMany(t => Dashboard.MetricNames(t.Expr)).ToHashSet(StringComparer.Ordinal);
            Assert.Subset(named, metrics.ToHashSet(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Ratio_panels_show_0_to_1_as_percent()
    {
        foreach (var title in new[] { "CPU throttling", "CPU limit utilization", "Memory limit utilization", "Closest to CPU limit", "Closest to memory limit" })
        {
            var defaults = _dashboard.Panels.Single(p => (string)p["title"]! == title)["fieldConfig"]!["defaults"]!;
            Assert.Equal(("percentunit", 0, 1), ((string)defaults["unit"]!, (int)defaults["min"]!, (int)defaults["max"]!));
        }
    }

    [Fact]
    public void Panels_lie_within_24_columns_without_overlapping()
    {
        var boxes = _dashboard.Panels.Select(p => (Title: (string)p["title"]!, Grid: p["gridPos"]!))
            .Select(p => (p.Title, X: (int)p.Grid["x"]!, Y: (int)p.Grid["y"]!, W: (int)p.Grid["w"]!, H: (int)p.Grid["h"]!)).ToList();
        Assert.All(boxes, b => Assert.True(b.X >= 0 && b.X + b.W <= 24, $"{b.Title} is outside the 24 columns."));
        for (var i = 0; i < boxes.Count; i++)
        {
            for (var j = i + 1; j < boxes.Count; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                var overlap = a.X < b.X + b.W && b.X < a.X + a.W && a.Y < b.Y + b.H && b.Y < a.Y + a.H;
                Assert.False(overlap, $"{a.Title} and {b.Title} overlap.");
            }
        }
    }

    [Fact]
    public void Every_panel_and_target_queries_the_datasource_variable()
    {
        foreach (var panel in _dashboard.Panels.Where(p => (string)p["type"]! != "row"))
        {
            Assert.Equal("${datasource}", (string)panel["datasource"]!["uid"]!);
            Assert.All(panel["targets"]!.AsArray(), t => Assert.Equal("${datasource}", (string)t!["datasource"]!["uid"]!));
        }
    }

    [Fact]
    public void No_variable_is_dangling_and_every_variable_is_used()
    {
        var defined = _dashboard.Variables.Select(v => (string)v["name"]!).ToHashSet(StringComparer.Ordinal);
        var referenced = Dashboard.References(_dashboard.Json.ToJsonString()).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(referenced.Except(defined).Except(Dashboard.BuiltIns));
        Assert.Empty(defined.Except(referenced));
        // A variable may only use variables defined before it (Grafana resolves them in order).
        for (var i = 0; i < _dashboard.Variables.Count; i++)
        {
            var earlier = _dashboard.Variables.Take(i).Select(v => (string)v["name"]!).ToHashSet(StringComparer.Ordinal);
            Assert.Subset(earlier, Dashboard.References(_dashboard.Variables[i].ToJsonString()).ToHashSet(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Pod_views_select_one_pod_and_the_jobs_one_each_defaulting_to_the_shipped_job_names()
    {
        var byName = _dashboard.Variables.ToDictionary(v => (string)v["name"]!, StringComparer.Ordinal);
        foreach (var name in new[] { "pod", "job", "facade_job" })
        {
            Assert.False((bool)byName[name]["multi"]!, $"${name} is multi-select.");
            Assert.False((bool)byName[name]["includeAll"]!, $"${name} offers All.");
            Assert.Null(byName[name]["allValue"]);
        }
        // The shipped scrape config and the PodMonitor/ServiceMonitor (jobLabel app.kubernetes.io/name) name these jobs.
        Assert.Equal("kubemonitor-exporter", (string)byName["job"]["current"]!["value"]!);
        Assert.Equal("kubemonitor-facade", (string)byName["facade_job"]["current"]!["value"]!);
        var podTargets = _dashboard.Targets.Where(t => t.Expr.Contains("$pod", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(podTargets);
        Assert.All(podTargets, t => Assert.DoesNotContain("pod=~\"$pod\"", t.Expr, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_query_and_variable_selects_the_scrape_job_so_two_scrape_paths_count_once()
    {
        var queries = _dashboard.Targets.Select(t => (Where: $"{t.Panel} [{t.RefId}]", Query: t.Expr))
            .Concat(_dashboard.Variables.Skip(1).Select(v => (Where: "$" + (string)v["name"]!, Query: (string)v["query"]!["query"]!)))
            .Where(q => !q.Query.EndsWith(", job)", StringComparison.Ordinal)); // the job variables list the jobs themselves
        foreach (var (where, query) in queries)
        {
            var selectors = Dashboard.Selectors(query).ToList();
            Assert.True(selectors.Count > 0, $"{where} selects no metric: {query}");
            foreach (var (metric, labels) in selectors)
            {
                var job = metric == "up" ? "job=~\"$job|$facade_job\""
                    : metric.StartsWith("kubemonitor_facade_", StringComparison.Ordinal) ? "job=\"$facade_job\"" : "job=\"$job\"";
                Assert.True(labels.Contains(job, StringComparison.Ordinal), $"{where}: {metric}{labels} lacks {job}.");
            }
        }
    }

    [Fact]
    public void Time_series_never_total_over_the_whole_range()
    {
        // increase(...[$__range]) at each step of a graph is the total up to that step, not what happened then.
        var series = _dashboard.Panels.Where(p => (string)p["type"]! == "timeseries").Select(p => (string)p["title"]!).ToHashSet(StringComparer.Ordinal);
        Assert.All(_dashboard.Targets.Where(t => series.Contains(t.Panel)), t => Assert.DoesNotContain("$__range", t.Expr, StringComparison.Ordinal));
    }

    [Fact]
    public void Counters_are_drawn_as_rates_or_increases_never_raw()
    {
        foreach (var (panel, refId, expr) in _dashboard.Targets)
        {
            foreach (var (metric, _) in Dashboard.Selectors(expr).Where(s => s.Metric.EndsWith("_total", StringComparison.Ordinal) || s.Metric.EndsWith("_bucket", StringComparison.Ordinal)))
            {
                Assert.True(Dashboard.IsOnlyRated(expr, metric), $"{panel} [{refId}] draws the counter {metric} raw: {expr}");
            }
        }
    }

    [Fact]
    public void Each_axis_of_a_time_series_has_one_unit()
    {
        foreach (var panel in _dashboard.Panels.Where(p => (string)p["type"]! == "timeseries"))
        {
            var axes = panel["targets"]!.AsArray().Select(t => Dashboard.UnitAndAxis(panel, (string)t!["refId"]!)).ToList();
            // Bytes (or bytes per second) exactly where a target draws a _bytes metric that no division turns into a ratio.
            foreach (var target in panel["targets"]!.AsArray())
            {
                var expr = (string)target!["expr"]!;
                var bytes = !expr.Contains('/', StringComparison.Ordinal) && Dashboard.MetricNames(expr).Any(m => m.Contains("_bytes", StringComparison.Ordinal));
                var unit = Dashboard.UnitAndAxis(panel, (string)target["refId"]!).Unit ?? "";
                Assert.True(bytes == unit is "bytes" or "decbytes" or "Bps" or "binBps", $"{panel["title"]} [{target["refId"]}] draws {(bytes ? "bytes" : "no bytes")} in '{unit}'.");
            }
            foreach (var axis in axes.GroupBy(a => a.Axis))
            {
                var units = axis.Select(a => a.Unit).Distinct().ToList();
                Assert.True(units.Count == 1 && units[0] is not null, $"{panel["title"]}: the {axis.Key} axis has units [{string.Join(", ", units)}].");
            }
        }
    }

    [Fact]
    public void The_provisioned_datasource_coexists_and_is_the_dashboards_first_choice()
    {
        var file = DatasourceProvisioning.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Dashboard.FilePath))!, "provisioning", "datasources", "kubemonitor.yaml")));
        var source = Assert.Single(file.Datasources);
        // isDefault would fight an existing default; a generic name or uid would overwrite one of the same.
        Assert.False(source.IsDefault);
        Assert.NotEqual("Prometheus", source.Name);
        Assert.StartsWith("kubemonitor", source.Uid, StringComparison.Ordinal);
        Assert.Equal("prometheus", source.Type);
        var variable = _dashboard.Variables[0];
        Assert.Equal(source.Uid, (string)variable["current"]!["value"]!);
        Assert.Equal(source.Name, (string)variable["current"]!["text"]!);
    }

    [Fact]
    public async Task Every_query_parses_as_promql()
    {
        // promtool checks rule expressions: each query becomes one recording rule (variables set).
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["datasource"] = "prometheus", ["job"] = "kubemonitor-exporter", ["facade_job"] = "kubemonitor-facade", ["node"] = "n1", ["namespace"] = "ns", ["deployment"] = "d", ["pod"] = "p",
            ["__rate_interval"] = "1m", ["__interval"] = "15s", ["__range"] = "1h",
        };
        Assert.NotEmpty(_dashboard.Targets);
        var rules = _dashboard.Targets.Select((t, i) => $"      - record: dashboard:q{i}\n        expr: {System.Text.Json.JsonSerializer.Serialize(Dashboard.Substitute(t.Expr, values))}\n");
        var file = Path.Combine(Path.GetTempPath(), $"kubemonitor-dashboard-{Guid.NewGuid():N}.yaml");
        try
        {
            await File.WriteAllTextAsync(file, "groups:\n  - name: dashboard\n    rules:\n" + string.Concat(rules));
            await Tool.RunOkAsync("promtool", ["check", "rules", file]);
        }
        finally
        {
            File.Delete(file);
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using KubeMonitor.Deploy.Tests.Support;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests;

/// <summary>
/// The dashboard proven on data (issue 3, 3) and push auth end to end (issue 3, 4), on the real
/// programs, real pod cgroups under load and a real Prometheus (<see cref="LivePipeline"/>).
/// </summary>
[Collection(RealLoad.Name)]
public sealed class LivePipelineTests(LivePipeline live) : IClassFixture<LivePipeline>
{
    private static readonly TimeSpan DataDeadline = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_panel_target_returns_series_with_the_variables_set_to_this_hosts_pods_or_to_all(bool all)
    {
        var dashboard = new Dashboard();
        var values = await ResolveVariablesAsync(dashboard);
        if (all)
        {
            // "All" sends each variable's allValue; the jobs and the pod have no All.
            foreach (var variable in dashboard.Variables.Skip(1).Where(v => (bool)v["includeAll"]!)) values[(string)variable["name"]!] = (string)variable["allValue"]!;
        }

        // Rates need a few scrapes; wait until every target has data or the deadline passes.
        var targets = dashboard.Targets.Select(t => (t.Panel, t.RefId, Query: Dashboard.Substitute(t.Expr, values))).ToList();
        var empty = targets;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var stillEmpty = new List<(string Panel, string RefId, string Query)>();
            foreach (var target in empty)
            {
                if ((await live.QueryAsync(target.Query)).Count == 0) stillEmpty.Add(target);
            }
            empty = stillEmpty;
            if (empty.Count == 0 || clock.Elapsed > DataDeadline) break;
            await Task.Delay(2000);
        }
        Assert.True(empty.Count == 0,
            $"Panel targets without data after {DataDeadline.TotalSeconds} s:\n"
            + string.Join("\n", empty.Select(t => $"  {t.Panel} [{t.RefId}]: {t.Query}")) + "\n" + live.Logs);
    }

    [Fact]
    public async Task No_panel_or_variable_names_a_metric_the_exporter_or_facade_does_not_expose()
    {
        var exposed = new HashSet<string>(StringComparer.Ordinal) { "up" }; // Prometheus's own, per target
        // Wait for a push to have been timed, so the push histogram's series are in the exposition.
        var clock = Stopwatch.StartNew();
        string exporterText;
        do
        {
            exporterText = await live.Http.GetStringAsync(new Uri(live.ExporterUrl, "/metrics"));
        }
        while (!exporterText.Contains("kubemonitor_exporter_push_duration_seconds_bucket", StringComparison.Ordinal) && clock.Elapsed < DataDeadline && await Delay());
        exposed.UnionWith(SampleNames(exporterText));
        exposed.UnionWith(SampleNames(await live.Http.GetStringAsync(new Uri(live.FacadeUrl, "/metrics"))));

        var dashboard = new Dashboard();
        var named = dashboard.Targets.SelectMany(t => Dashboard.MetricNames(t.Expr).Select(m => (t.Panel, Metric: m)))
            .Concat(dashboard.Variables.Skip(1).SelectMany(v => Dashboard.MetricNames((string)v["query"]!["query"]!).Select(m => ((string)v["name"]!, Metric: m))))
            .ToList();
        Assert.NotEmpty(named);
        var unknown = named.Where(n => !exposed.Contains(n.Metric)).Select(n => $"{n.Item1}: {n.Metric}").Distinct().ToList();
        Assert.True(unknown.Count == 0, "Not exposed by the exporter or facade:\n" + string.Join("\n", unknown));
    }

    [Fact]
    public async Task The_rendered_probe_paths_answer_200_on_the_running_programs()
    {
        var manifests = Manifests.Load(await Kustomize.RenderAsync("base"));
        foreach (var (container, baseUrl) in new[] { (manifests.ExporterContainer, live.ExporterUrl), (manifests.FacadeContainer, live.FacadeUrl) })
        {
            foreach (var probe in new[] { container.LivenessProbe, container.ReadinessProbe })
            {
                using var response = await live.Http.GetAsync(new Uri(baseUrl, probe.HttpGet.Path));
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{container.Name} {probe.HttpGet.Path}: {(int)response.StatusCode}");
            }
        }
    }

    [Fact]
    public async Task Facade_accepts_the_exporters_pushes_with_the_rendered_token_and_refuses_pushes_without_it()
    {
        // The exporter pushes with the credential from the rendered Secret: the facade stores them.
        var clock = Stopwatch.StartNew();
        double received;
        while ((received = await SampleValueAsync(live.FacadeUrl, "kubemonitor_facade_samples_received_total{kind=\"node\"}")) < 3
               && clock.Elapsed < DataDeadline && await Delay())
        {
        }
        Assert.True(received >= 3, $"The facade stored {received} node samples.\n{live.Logs}");
        var exporterMetrics = await live.Http.GetStringAsync(new Uri(live.ExporterUrl, "/metrics"));
        Assert.Contains("result=\"sent\"", exporterMetrics, StringComparison.Ordinal);
        Assert.DoesNotContain("result=\"rejected\"", exporterMetrics, StringComparison.Ordinal);

        // Without the credential the push is unauthenticated (401); with another token, forbidden (403).
        var push = new Uri(live.FacadeUrl, $"/api/nodes/{LivePipeline.NodeName}/batch");
        var refused = new (AuthenticationHeaderValue? Authorization, HttpStatusCode Status)[]
        {
            (null, HttpStatusCode.Unauthorized),
            (new("Bearer", "not-" + live.Credential.Token), HttpStatusCode.Forbidden),
        };
        foreach (var (authorization, status) in refused)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, push) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            request.Headers.Authorization = authorization;
            using var response = await live.Http.SendAsync(request);
            Assert.Equal(status, response.StatusCode);
        }
    }

    /// <summary>Variables in dashboard order, each from its label_values query over the live data, as Grafana would.</summary>
    private async Task<Dictionary<string, string>> ResolveVariablesAsync(Dashboard dashboard)
    {
        var expected = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["job"] = "kubemonitor-exporter", ["facade_job"] = "kubemonitor-facade",
            ["node"] = LivePipeline.NodeName, ["namespace"] = LivePipeline.Namespace, ["deployment"] = LivePipeline.Deployment, ["pod"] = live.PodNames[0],
        };
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["datasource"] = "prometheus", ["__rate_interval"] = "10s", ["__interval"] = "1s", ["__range"] = "5m",
        };
        foreach (var variable in dashboard.Variables.Skip(1))
        {
            var name = (string)variable["name"]!;
            var (selector, label) = Dashboard.ParseLabelValues(Dashboard.Substitute((string)variable["query"]!["query"]!, values));
            var clock = Stopwatch.StartNew();
            List<string> found;
            while (!(found = await live.LabelValuesAsync(selector, label)).Contains(expected[name]) && clock.Elapsed < DataDeadline && await Delay())
            {
            }
            Assert.True(found.Contains(expected[name]), $"${name} = label_values({selector}, {label}) offers [{string.Join(", ", found)}], not {expected[name]}.\n{live.Logs}");
            values[name] = expected[name];
        }
        Assert.Equal(live.PodNames.Order(StringComparer.Ordinal), (await live.LabelValuesAsync(
            Dashboard.ParseLabelValues(Dashboard.Substitute((string)dashboard.Variables[^1]["query"]!["query"]!, values)).Selector, "pod")).Order(StringComparer.Ordinal));
        return values;
    }

    private async Task<double> SampleValueAsync(Uri program, string series)
    {
        var text = await live.Http.GetStringAsync(new Uri(program, "/metrics"));
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..].Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static IEnumerable<string> SampleNames(string exposition) =>
        exposition.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('{', ' ')[0]);

    private static async Task<bool> Delay()
    {
        await Task.Delay(1000);
        return true;
    }
}

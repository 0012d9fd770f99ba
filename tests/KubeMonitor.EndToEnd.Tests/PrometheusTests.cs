using System.Globalization;
using System.Text.Json.Nodes;
using KubeMonitor.EndToEnd.Tests.Support;
using static KubeMonitor.EndToEnd.Tests.EndToEndEnvironment;

namespace KubeMonitor.EndToEnd.Tests;

public sealed partial class EndToEndTests
{
    /// <summary>
    /// A real Prometheus (the Debian 2.42 package) scrapes the exporter and the facade every
    /// second; its rate() of the stressed pod's CPU counter over 30 s agrees with the facade's
    /// cpu.usageCores over the same 30 s (the mean of the window's points) within 10 %.
    /// </summary>
    [Fact]
    public async Task Prometheus_rate_of_pod_cpu_agrees_with_the_facade()
    {
        var folder = Directory.CreateTempSubdirectory("kme2e-prometheus-").FullName;
        var port = FreePort();
        var prometheusUrl = new Uri($"http://127.0.0.1:{port}");
        File.WriteAllText(Path.Combine(folder, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: exporter
                static_configs: [{"{"} targets: ["127.0.0.1:{env.ExporterPort}"] {"}"}]
              - job_name: facade
                static_configs: [{"{"} targets: ["127.0.0.1:{env.FacadePort}"] {"}"}]
            """);
        using var stress = env.Stressed.Start("stress-ng", "--cpu", "1", "--timeout", "60s", "--quiet");
        var prometheus = ChildProcess.Start("prometheus", "prometheus",
        [
            $"--config.file={Path.Combine(folder, "prometheus.yml")}",
            $"--storage.tsdb.path={Path.Combine(folder, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
        ], folder);
        try
        {
            await Eventually.Until(async () => (await env.Http.GetAsync(new Uri(prometheusUrl, "/-/ready"))).IsSuccessStatusCode,
                TimeSpan.FromSeconds(60), "Prometheus to be ready", () => prometheus.Output);
            // 30 s of scrapes of the loaded pod, plus a few for the first ones.
            await Task.Delay(TimeSpan.FromSeconds(34));

            var query = $"rate(kubemonitor_pod_cpu_usage_seconds_total{{namespace=\"{TestNamespace}\",pod=\"{env.Stressed.Name}\"}}[30s])";
            var result = await QueryAsync(prometheusUrl, query);
            var facade = await env.PodAsync(env.Stressed, "&window=30");
            var fromPrometheus = double.Parse((string)Assert.Single(result)!["value"]![1]!, CultureInfo.InvariantCulture);
            var fromFacade = (double)facade["summary"]!["cpu"]!["usageCores"]!["avg"]!;
            Measured($"Prometheus rate {fromPrometheus:0.0000} cores, facade 30 s mean {fromFacade:0.0000} cores");
            Assert.True(Math.Abs(fromPrometheus - fromFacade) <= 0.10 * fromFacade,
                $"Prometheus rate {fromPrometheus:0.000} cores, facade {fromFacade:0.000} cores.\n{prometheus.Output}");
            Assert.InRange(fromFacade, 0.8, 1.2);

            foreach (var job in new[] { "exporter", "facade" })
            {
                var up = await QueryAsync(prometheusUrl, $"up{{job=\"{job}\"}}");
                Assert.Equal("1", (string)Assert.Single(up)!["value"]![1]!);
            }
        }
        finally
        {
            Stop(stress);
            prometheus.Dispose();
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<JsonArray> QueryAsync(Uri prometheus, string query)
    {
        var body = await env.Http.GetStringAsync(new Uri(prometheus, "/api/v1/query?query=" + Uri.EscapeDataString(query)));
        var answer = JsonNode.Parse(body)!;
        Assert.Equal("success", (string)answer["status"]!);
        return answer["data"]!["result"]!.AsArray();
    }
}

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
        // Longer than the test needs: Prometheus can be slow to start on a busy machine.
        using var stress = env.Stressed.Start("stress-ng", "--cpu", "1", "--timeout", "180s", "--quiet");
        using var prometheus = await PrometheusServer.StartAsync(env.Http, ("exporter", env.ExporterPort), ("facade", env.FacadePort));
        var prometheusUrl = prometheus.Url;
        try
        {
            // rate() over 30 s means what it says only once Prometheus holds 30 s of the loaded
            // pod's samples: a window that is mostly empty (first scrapes, failed scrapes) divides
            // a few seconds' increase by 30 s.
            var selector = $"kubemonitor_pod_cpu_usage_seconds_total{{namespace=\"{TestNamespace}\",pod=\"{env.Stressed.Name}\"}}";
            await Task.Delay(TimeSpan.FromSeconds(31));
            await Eventually.Until(async () => await SampleCountAsync(prometheusUrl, $"count_over_time({selector}[30s])") >= 27
                    && await SampleCountAsync(prometheusUrl, $"count_over_time({selector}[35s] offset 30s)") >= 1,
                TimeSpan.FromSeconds(60), "Prometheus to hold 30 s of the pod's samples", () => prometheus.Output);

            var result = await QueryAsync(prometheusUrl, $"rate({selector}[30s])");
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
        }
    }

    /// <summary>The value of a query that yields one number per series, for the only series; 0 when none.</summary>
    private async Task<double> SampleCountAsync(Uri prometheus, string query) =>
        await QueryAsync(prometheus, query) is [var series] ? double.Parse((string)series!["value"]![1]!, CultureInfo.InvariantCulture) : 0;

    private async Task<JsonArray> QueryAsync(Uri prometheus, string query)
    {
        var body = await env.Http.GetStringAsync(new Uri(prometheus, "/api/v1/query?query=" + Uri.EscapeDataString(query)));
        var answer = JsonNode.Parse(body)!;
        Assert.Equal("success", (string)answer["status"]!);
        return answer["data"]!["result"]!.AsArray();
    }
}

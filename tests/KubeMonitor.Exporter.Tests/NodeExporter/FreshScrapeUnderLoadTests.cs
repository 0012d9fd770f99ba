using System.Diagnostics;
using System.Net;
using KubeMonitor.Exporter.Tests.Support;
using KubeMonitor.TestSupport;
using Xunit.Abstractions;

namespace KubeMonitor.Exporter.Tests.NodeExporter;

/// <summary>
/// docs/api.md section 4, Freshness, on this host's real /proc: with a 30 s interval and every
/// CPU busy, the exporter's node CPU seconds lie between two node_exporter scrapes taken just
/// before and just after its own scrape. A served value from the loop's last collection would
/// be seconds behind the first of them.
/// </summary>
[Collection(RealLoad.Name)]
public sealed class FreshScrapeUnderLoadTests(ITestOutputHelper output)
{
    // A few USER_HZ ticks: both sum the same per-CPU lines, but per-CPU irq time has been seen
    // to step back by a tick (tests/fixtures/proc/stat-sequences/cpu-times-decrease).
    private const double TickTolerance = 0.05;
    // How long after the exporter's start-up collection its scrape comes: with every CPU busy
    // that collection is then Environment.ProcessorCount x this many CPU seconds behind.
    private static readonly TimeSpan StaleBy = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_scrape_holds_counters_read_between_two_node_exporter_scrapes_around_it()
    {
        using var load = StartStress();
        using var nodeExporter = NodeExporterProcess.Start(Ports.Free(), "cpu");
        var port = Ports.Free();
        using var exporter = ShippedExporter.Start(ShippedExporter.BuiltFolder, Path.GetTempPath(),
            ["--node-name", "fresh-node", "--listen", $"127.0.0.1:{port}", "--interval", "30s", "--log-level", "Warning"]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        await nodeExporter.WaitUntilServingAsync(http);
        await WaitUntilReadyAsync(http, new Uri($"http://127.0.0.1:{port}/readyz"), exporter);
        var atStart = await NodeExporterCpuSecondsAsync(http, nodeExporter);

        await Task.Delay(StaleBy);
        var before = await NodeExporterCpuSecondsAsync(http, nodeExporter);
        var ours = OurCpuSeconds(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics")));
        var after = await NodeExporterCpuSecondsAsync(http, nodeExporter);

        var values = $"node_exporter at start {atStart:F2}, before {before:F2}, ours {ours:F2}, after {after:F2}";
        output.WriteLine(values);
        var report = $"{values}\n{exporter.Output}";
        // The test can fail: the start-up collection is far behind the window.
        Assert.True(before - atStart > 20 * TickTolerance, $"the CPUs were not busy enough to tell a stale value apart: {report}");
        Assert.True(ours >= before - TickTolerance, $"ours is older than node_exporter's scrape before it: {report}");
        Assert.True(ours <= after + TickTolerance, $"ours is newer than node_exporter's scrape after it: {report}");
    }

    /// <summary>stress-ng with one CPU worker per online CPU; Dispose ends it and its workers.</summary>
    private static StressProcess StartStress()
    {
        var start = new ProcessStartInfo("stress-ng") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        // --timeout ends it even if this test process dies.
        foreach (var argument in new[] { "--cpu", "0", "--timeout", "120s", "--quiet" }) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("stress-ng did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new StressProcess(process);
    }

    private sealed class StressProcess(Process process) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // ended meanwhile
            }
            process.Dispose();
        }
    }

    private static async Task<double> NodeExporterCpuSecondsAsync(HttpClient http, NodeExporterProcess nodeExporter) =>
        TextSamples.NodeExporterCpuUsageSeconds(TextSamples.Parse(await http.GetStringAsync(nodeExporter.MetricsUri)));

    private static double OurCpuSeconds(string exposition) =>
        Assert.Single(TextSamples.Parse(exposition), s => s.Name == "kubemonitor_node_cpu_usage_seconds_total").Value;

    private static async Task WaitUntilReadyAsync(HttpClient http, Uri readyz, ShippedExporter exporter)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(exporter.HasExited, $"the exporter ended instead of serving\n{exporter.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"no /readyz within 60 s\n{exporter.Output}");
            try
            {
                using var response = await http.GetAsync(readyz);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
    }
}

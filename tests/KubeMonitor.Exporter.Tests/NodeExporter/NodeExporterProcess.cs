using System.Diagnostics;

namespace KubeMonitor.Exporter.Tests.NodeExporter;

/// <summary>
/// Debian's node_exporter 1.5 (<c>prometheus-node-exporter</c>) on 127.0.0.1 with only the given
/// collectors, at upstream's default settings. Dispose kills it and waits for it to end.
/// </summary>
internal sealed class NodeExporterProcess : IDisposable
{
    private readonly Process _process;

    private NodeExporterProcess(Process process, int port)
    {
        _process = process;
        MetricsUri = new Uri($"http://127.0.0.1:{port}/metrics");
    }

    public Uri MetricsUri { get; }

    public static NodeExporterProcess Start(int port, params string[] collectors)
    {
        var start = new ProcessStartInfo("prometheus-node-exporter")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add($"--web.listen-address=127.0.0.1:{port}");
        start.ArgumentList.Add("--collector.disable-defaults");
        foreach (var collector in collectors)
        {
            start.ArgumentList.Add($"--collector.{collector}");
        }
        if (collectors.Contains("netdev"))
        {
            // Debian's build excludes ^lo$ from netdev by default (upstream excludes nothing, and
            // docs/api.md keeps lo), so that exclusion is replaced by one that matches no interface.
            start.ArgumentList.Add("--collector.netdev.device-exclude=^$");
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus-node-exporter did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new NodeExporterProcess(process, port);
    }

    /// <summary>Returns once /metrics answers (about 10 s at most), failing if the process ends first.</summary>
    public async Task WaitUntilServingAsync(HttpClient http)
    {
        for (var attempt = 0; ; attempt++)
        {
            Assert.False(_process.HasExited, "node_exporter exited at start");
            try
            {
                using var response = await http.GetAsync(MetricsUri);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) when (attempt < 100)
            {
            }
            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // ended meanwhile
        }
        _process.Dispose();
    }
}

namespace KubeMonitor.EndToEnd.Tests.Support;

/// <summary>
/// A real Prometheus (the Debian 2.42 package) scraping the given targets every second, with its
/// configuration and data in a temp folder. Dispose kills it and deletes the folder; a start that
/// fails half way leaves nothing behind.
/// </summary>
internal sealed class PrometheusServer : IDisposable
{
    private readonly ChildProcess _process;
    private readonly string _folder;

    private PrometheusServer(ChildProcess process, string folder, Uri url)
    {
        _process = process;
        _folder = folder;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>Its recent output, for failure messages.</summary>
    public string Output => _process.Output;

    /// <summary>Starts it on a free port and waits until it is ready; <paramref name="targets"/> are (job, port on 127.0.0.1).</summary>
    public static async Task<PrometheusServer> StartAsync(HttpClient http, params (string Job, int Port)[] targets)
    {
        var folder = Directory.CreateTempSubdirectory("kme2e-prometheus-").FullName;
        var port = EndToEndEnvironment.FreePort();
        var jobs = string.Concat(targets.Select(target => $$"""

              - job_name: {{target.Job}}
                static_configs: [{ targets: ["127.0.0.1:{{target.Port}}"] }]
            """));
        File.WriteAllText(Path.Combine(folder, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:{jobs}
            """);
        ChildProcess? process = null;
        try
        {
            process = ChildProcess.Start("prometheus", "prometheus",
            [
                $"--config.file={Path.Combine(folder, "prometheus.yml")}",
                $"--storage.tsdb.path={Path.Combine(folder, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
            ], folder);
            var server = new PrometheusServer(process, folder, new Uri($"http://127.0.0.1:{port}"));
            // Prometheus can be slow to start on a busy machine.
            await Eventually.Until(async () => (await http.GetAsync(new Uri(server.Url, "/-/ready"))).IsSuccessStatusCode,
                TimeSpan.FromSeconds(60), "Prometheus to be ready", () => server.Output);
            return server;
        }
        catch
        {
            process?.Dispose();
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    public void Dispose()
    {
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

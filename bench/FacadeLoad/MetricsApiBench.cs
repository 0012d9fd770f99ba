using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using KubeMonitor.Facade.Tests.MetricsApi;

namespace KubeMonitor.FacadeLoad;

/// <summary>Options of the metrics-api mode: ticks pushed before the reads, and answers timed per question.</summary>
internal sealed record MetricsApiBenchOptions(int BackfillTicks, int AllPodsQueries, int Queries, int WarmUp)
{
    public void Validate()
    {
        // metrics.k8s.io leaves out a pod with one sample: two ticks at least.
        if (BackfillTicks < 2) throw new ArgumentException("--backfill-ticks must be 2 or more: the metrics API needs two samples.");
        if (AllPodsQueries < 1 || Queries < 1 || WarmUp < 0) throw new ArgumentException("--all-pods-queries and --queries must be positive, --warm-up not negative.");
    }
}

/// <summary>
/// The facade's metrics.k8s.io/v1beta1 listener at full size (docs/benchmarks.md, "metrics.k8s.io"):
/// a front-proxy CA and client certificate made here (AllowAuthenticated, so no API server), pods
/// pushed with labels, a few ticks, then what kube-aggregator forwards for <c>kubectl top pod -A</c>,
/// for an HPA's 100 pods of one namespace, and for <c>kubectl top node</c>, each timed over N
/// answers on one kept-alive connection, as the aggregator's transport keeps it.
/// </summary>
internal sealed class MetricsApiBench(Options options, MetricsApiBenchOptions bench)
{
    private const string ProxyName = "front-proxy-client";

    public async Task RunAsync()
    {
        var folder = Directory.CreateTempSubdirectory("facade-load-metrics-api-");
        try
        {
            await RunInAsync(folder.FullName);
        }
        finally
        {
            // The CA file; the CA's key never leaves memory.
            folder.Delete(recursive: true);
        }
    }

    private async Task RunInAsync(string folder)
    {
        using var certificates = new TestCertificates("facade-load-front-proxy-ca");
        var caFile = certificates.WriteCaFile(folder);
        using var client = certificates.Client(ProxyName);
        var cluster = new Cluster(options.Nodes, options.PodsPerNode, options.Seed, withLabels: true);
        var baseAddress = new Uri($"http://127.0.0.1:{options.Port}");
        var metricsAddress = new Uri($"https://127.0.0.1:{options.Port + 1}");
        Console.WriteLine($"facade-load --metrics-api {DateTimeOffset.UtcNow:u}: {cluster.NodeCount} nodes x {cluster.PodsPerNode} pods = {cluster.PodCount} pods, {bench.BackfillTicks} ticks, {Environment.ProcessorCount} CPUs, load average {ResultsFolder.LoadAverage()}");

        var arguments = new List<string>
        {
            "--urls", baseAddress.ToString().TrimEnd('/'),
            "--Facade:Staleness", "00:30:00",
            "--Facade:MaxSeries", "10000000",
            "--Facade:MetricsApi:Url", metricsAddress.ToString().TrimEnd('/'),
            "--Facade:MetricsApi:RequestHeaderClientCaFile", caFile,
            "--Facade:MetricsApi:RequestHeaderAllowedNames:0", ProxyName,
            "--Facade:MetricsApi:Authorization", "AllowAuthenticated",
        };
        arguments.AddRange(options.FacadeArguments);
        using var facade = await FacadeProcess.StartAsync(options.FacadeDll, arguments, options.Environment, "/tmp/facade-load-facade.log", baseAddress);
        var idleRss = facade.ResidentBytes();
        Console.WriteLine($"facade pid {facade.Id} ready, metrics API on {metricsAddress}, idle RSS {idleRss / 1048576.0:F0} MiB");

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromMinutes(5),
        };
        // Ticks 5 s apart ending now: every pod has the two samples the API needs.
        var endMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 5000 * 5000;
        var pushed = await new Pusher(cluster, http, options.Concurrency)
            .RunAsync(facade, Enumerable.Range(0, bench.BackfillTicks).Select(k => endMs - (bench.BackfillTicks - 1 - k) * 5000L), paced: false);
        pushed.Print("pushed");
        if (pushed.Rejected > 0) throw new InvalidOperationException($"The facade rejected {pushed.Rejected} pushes: {pushed.FirstError}");
        Report.Memory(facade, http, idleRss, pushed.Stored, "after the pushes");

        using var metrics = MetricsClient(metricsAddress, client);
        var release = Cluster.ReleaseOf(cluster.PodCount / cluster.BigNamespaceStride / 2);
        var questions = new (string What, string Path, int Items, int Count, int WarmUp)[]
        {
            ($"all pods (`kubectl top pod -A`)", "/apis/metrics.k8s.io/v1beta1/pods", cluster.PodsWithRate(), bench.AllPodsQueries, Math.Min(bench.WarmUp, 3)),
            ($"one namespace, label selector (HPA)", $"/apis/metrics.k8s.io/v1beta1/namespaces/{cluster.BigNamespace}/pods?labelSelector=release%3D{release}",
                cluster.PodsWithRate(cluster.BigNamespace, release), bench.Queries, bench.WarmUp),
            ($"all nodes (`kubectl top node`)", "/apis/metrics.k8s.io/v1beta1/nodes", cluster.NodeCount, bench.Queries, bench.WarmUp),
            // What every request costs whatever it asks: authentication, routing, TLS.
            ($"discovery (no items)", "/apis/metrics.k8s.io/v1beta1", 0, bench.Queries, bench.WarmUp),
        };
        // The facade's own background work, counted in every answer's CPU unless taken off.
        var idleBefore = facade.CpuTime();
        await Task.Delay(TimeSpan.FromSeconds(10));
        var idleCpuMsPerSecond = (facade.CpuTime() - idleBefore).TotalMilliseconds / 10;
        Console.WriteLine($"facade CPU while idle: {idleCpuMsPerSecond:F1} ms per second");
        var rows = new List<string>();
        foreach (var (what, path, items, count, warmUp) in questions)
        {
            rows.Add(await MeasureAsync(facade, metrics, what, path, items, count, warmUp, idleCpuMsPerSecond));
        }
        Console.WriteLine();
        Console.WriteLine($"load average at the end {ResultsFolder.LoadAverage()}; facade RSS {facade.ResidentBytes() / 1048576.0:F0} MiB, peak {facade.PeakResidentBytes() / 1048576.0:F0} MiB");
        Console.WriteLine("| question | path | items | n | p50 ms | p95 ms | answer bytes | facade CPU ms per answer | above idle |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows) Console.WriteLine(row);
    }

    /// <summary>
    /// kube-aggregator's side of the call: the front-proxy certificate on every connection, the
    /// user and groups in X-Remote-* headers, the serving certificate not checked (the facade's is
    /// self-signed here; the APIService's insecureSkipTLSVerify).
    /// </summary>
    private static HttpClient MetricsClient(Uri address, X509Certificate2 clientCertificate)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        // Always this certificate: .NET otherwise sends one only for a CA the server lists, and Kestrel lists none.
        handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
#pragma warning disable CA5359 // The facade's serving certificate is self-signed at its start, as metrics-server's.
        handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        var http = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Add("X-Remote-User", "system:admin");
        http.DefaultRequestHeaders.Add("X-Remote-Group", "system:authenticated");
        http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        return http;
    }

    /// <summary>Times <paramref name="count"/> answers one after another (after <paramref name="warmUp"/> not counted) and checks the last one holds <paramref name="items"/> items.</summary>
    private static async Task<string> MeasureAsync(FacadeProcess facade, HttpClient metrics, string what, string path, int items, int count, int warmUp, double idleCpuMsPerSecond)
    {
        for (var i = 0; i < warmUp; i++) await GetAsync(metrics, path);
        var timings = new double[count];
        long bytes = 0;
        byte[] last = [];
        var cpuBefore = facade.CpuTime();
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            last = await GetAsync(metrics, path);
            timings[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            bytes += last.Length;
        }
        var cpuMs = (facade.CpuTime() - cpuBefore).TotalMilliseconds / count;
        var aboveIdleMs = cpuMs - idleCpuMsPerSecond * wall.Elapsed.TotalSeconds / count;
        Array.Sort(timings);
        var p50 = Report.Percentile(timings, 0.50);
        var p95 = Report.Percentile(timings, 0.95);
        Console.WriteLine($"{what}: GET {path}: n={count} p50 {p50:F1} ms, p95 {p95:F1} ms, max {timings[^1]:F1} ms, {bytes / count} B, facade CPU {cpuMs:F1} ms per answer ({aboveIdleMs:F1} above idle), RSS {facade.ResidentBytes() / 1048576.0:F0} MiB [load average {ResultsFolder.LoadAverage()}]");
        using (var json = JsonDocument.Parse(last))
        {
            // An answer of the wrong size would time something else than the question.
            var got = json.RootElement.TryGetProperty("items", out var list) ? list.GetArrayLength() : 0;
            if (got != items) throw new InvalidOperationException($"{path}: {got} items, expected {items}.");
        }
        return string.Create(CultureInfo.InvariantCulture, $"| {what} | `{path}` | {items:N0} | {count} | {p50:F1} | {p95:F1} | {bytes / count:N0} | {cpuMs:F1} | {aboveIdleMs:F1} |");
    }

    private static async Task<byte[]> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseContentRead);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
        return body;
    }
}

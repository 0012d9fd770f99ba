using System.Diagnostics;
using System.Globalization;
using KubeMonitor.Facade.Tests.Prometheus;

namespace KubeMonitor.FacadeLoad;

/// <summary>Settings of the sources benchmark (<c>--sources</c>); see <see cref="SourceBench"/>.</summary>
internal sealed record SourcesOptions(
    int TickSeconds, int RollupWindowSeconds, int PodWindowSeconds, int RollupQueries, int PodQueries, int TicksPerWrite, string RateRange, string? ResultsPath,
    string? QueryLogPath, string? BaselineFacadeDll)
{
    public void Validate()
    {
        if (TickSeconds < 1) throw new ArgumentException("--tick-seconds must be at least 1.");
        if (RollupWindowSeconds < 2 * TickSeconds || PodWindowSeconds < 2 * TickSeconds) throw new ArgumentException("--rollup-window and --pod-window must hold two ticks.");
        if (RollupQueries < 2 || PodQueries < 2) throw new ArgumentException("--rollup-queries and --queries must be at least 2.");
        if (TicksPerWrite < 1) throw new ArgumentException("--ticks-per-write must be at least 1.");
    }
}

/// <summary>
/// "Facade over Prometheus" (docs/benchmarks.md): one synthetic namespace of pods, the same
/// samples pushed to an embedded facade and remote-written to a real Prometheus as the exporter's
/// section-4 series, and a second facade reading that Prometheus (<c>Facade:Source=Prometheus</c>).
/// Then two questions, each answered three ways one after another: a namespace's rollup over a
/// short window and one pod's series over an hour, by the facade over Prometheus, by the embedded
/// facade, and by the PromQL a user would write (<c>query_range</c>). The history ends
/// <c>--lead-seconds</c> after the start, so that the reads, which come after the load, still
/// find full windows; each window reads only the samples up to its own "now".
/// </summary>
internal sealed class SourceBench(Options options, SourcesOptions sources)
{
    private const string ClusterLabel = "cluster";
    private const string ClusterName = "bench";

    public async Task RunAsync()
    {
        using var results = sources.ResultsPath is { } path ? ResultsFolder.Open(path) : null;
        var tick = sources.TickSeconds;
        var cluster = new Cluster(options.Nodes, options.PodsPerNode, options.Seed, bigNamespaceStride: 1);
        // History: the pod window plus the lead, so that the hour is full whenever the reads run.
        var historySeconds = (sources.PodWindowSeconds + options.LeadSeconds + tick - 1) / tick * tick;
        var startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var endMs = (startMs + options.LeadSeconds * 1000L) / (tick * 1000L) * tick * 1000L;
        var ticks = historySeconds / tick + 1;
        Console.WriteLine(
            $"facade-load --sources {DateTimeOffset.UtcNow:u}: {cluster.PodCount} pods in namespace {cluster.BigNamespace} on {cluster.NodeCount} nodes, " +
            $"a sample every {tick} s for {historySeconds} s ({ticks} ticks) ending {options.LeadSeconds} s from now; {Environment.ProcessorCount} CPUs, load average {ResultsFolder.LoadAverage()}");

        var work = Directory.CreateTempSubdirectory("facade-load-sources-");
        try
        {
            // Every query Prometheus answers, with its timings and samples: kept only when asked for (it can be large).
            var queryLog = sources.QueryLogPath is { } kept ? Path.GetFullPath(kept) : Path.Combine(work.FullName, "queries.log");
            using var prometheus = await BenchPrometheus.StartAsync(options.Port + 2, queryLog);
            Console.WriteLine($"Prometheus ready on {prometheus.Url}");

            // The embedded facade keeps the whole history (retention past it) and sees every pod
            // as live while its history is pushed (staleness as long); its clock is behind the
            // history's end by up to the lead.
            var retention = TimeSpan.FromSeconds(historySeconds + 600);
            var embeddedUrl = new Uri($"http://127.0.0.1:{options.Port}");
            List<string> embeddedArguments =
            [
                "--urls", embeddedUrl.ToString().TrimEnd('/'),
                "--Facade:Retention", Span(retention), "--Facade:Staleness", Span(retention),
                "--Facade:MaxFutureSkew", Span(TimeSpan.FromSeconds(options.LeadSeconds + 60)),
                .. options.FacadeArguments,
            ];
            using var embedded = await FacadeProcess.StartAsync(options.FacadeDll, embeddedArguments, options.Environment, "/tmp/facade-load-facade.log", embeddedUrl);
            Console.WriteLine($"embedded facade pid {embedded.Id} ready: {string.Join(' ', embeddedArguments)}");
            var idleRss = embedded.ResidentBytes();
            using var embeddedHttp = Client(embeddedUrl, options.Concurrency);

            var pusher = new Pusher(cluster, embeddedHttp, options.Concurrency);
            var feed = new PrometheusFeed(cluster, new ExporterSeries(ClusterLabel, ClusterName), prometheus.Writer, sources.TicksPerWrite);
            var tickTimes = Enumerable.Range(0, ticks).Select(k => endMs - (ticks - 1 - k) * tick * 1000L);
            var load = await pusher.RunAsync(embedded, tickTimes, paced: false, feed.BeforeTickAsync, feed.Add);
            await feed.FlushAsync();
            load.Print("load of the embedded facade (Prometheus written beside it)");
            var loaded = await prometheus.CountersAsync();
            Console.WriteLine($"Prometheus: {feed.Written} samples remote-written, head {loaded.HeadSeries:F0} series, {loaded.SamplesAppended:F0} samples appended, RSS {loaded.ResidentBytes / 1048576:F0} MiB");
            Report.Memory(embedded, embeddedHttp, idleRss, load.Stored, "embedded facade after the load");

            using var over = await StartOverPrometheusAsync(options.FacadeDll, options.Port + 1, prometheus, "facade-prometheus");
            // Another build of it beside (a change's before and after in one run).
            using var baseline = sources.BaselineFacadeDll is { } dll ? await StartOverPrometheusAsync(dll, options.Port + 3, prometheus, "facade-prometheus-baseline") : null;

            var ahead = (endMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) / 1000.0;
            Console.WriteLine(ahead > 0
                ? $"reads start; the history ends {ahead:F0} s from now"
                : $"WARNING: the history ended {-ahead:F0} s ago: the short windows are partly empty (raise --lead-seconds)");
            var idleCpuPerSecond = await prometheus.IdleCpuPerSecondAsync();
            Console.WriteLine($"Prometheus idle: {idleCpuPerSecond * 1000:F1} ms of CPU per second (subtracted from its CPU per answer)");

            var costs = await ReadAsync(cluster, prometheus, idleCpuPerSecond, over, baseline, (embedded, embeddedHttp));
            var late = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - endMs) / 1000.0;
            if (late > 0) Console.WriteLine($"WARNING: the history ended {late:F0} s before the last read (raise --lead-seconds)");

            var table = AnswerCost.TableHeader + "\n" + string.Join('\n', costs.Select(c => c.TableRow())) + "\n";
            Console.WriteLine();
            Console.WriteLine(table);
            results?.WriteFile("table.md", table);
            Console.WriteLine(
                $"RSS: embedded facade {embedded.ResidentBytes() / 1048576.0:F0} MiB, facade over Prometheus {over.Process.ResidentBytes() / 1048576.0:F0} MiB, " +
                $"Prometheus {(await prometheus.CountersAsync()).ResidentBytes / 1048576:F0} MiB; load average {ResultsFolder.LoadAverage()}");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>A facade reading <paramref name="prometheus"/>, and a client of its own.</summary>
    private async Task<OverPrometheus> StartOverPrometheusAsync(string dll, int port, BenchPrometheus prometheus, string logName)
    {
        var url = new Uri($"http://127.0.0.1:{port}");
        List<string> arguments =
        [
            "--urls", url.ToString().TrimEnd('/'),
            "--Facade:Source", "Prometheus", "--Facade:Prometheus:Url", prometheus.Url.ToString().TrimEnd('/'),
            "--Facade:Prometheus:Selector", $"{ClusterLabel}=\"{ClusterName}\"",
            .. options.FacadeArguments,
        ];
        var process = await FacadeProcess.StartAsync(dll, arguments, options.Environment, $"/tmp/facade-load-{logName}.log", url);
        Console.WriteLine($"facade over Prometheus ({dll}) pid {process.Id} ready: {string.Join(' ', arguments)}");
        return new OverPrometheus(process, Client(url, 4));
    }

    private sealed record OverPrometheus(FacadeProcess Process, HttpClient Http) : IDisposable
    {
        public void Dispose()
        {
            Http.Dispose();
            Process.Dispose();
        }
    }

    private async Task<List<AnswerCost>> ReadAsync(
        Cluster cluster, BenchPrometheus prometheus, double idleCpuPerSecond,
        OverPrometheus over, OverPrometheus? baseline, (FacadeProcess Process, HttpClient Http) embedded)
    {
        List<AnswerWay> FacadeWays(Func<int, string> path) =>
        [
            AnswerWays.Facade("facade over Prometheus", over.Process, over.Http, path),
            .. baseline is null ? [] : new[] { AnswerWays.Facade("facade over Prometheus, baseline build", baseline.Process, baseline.Http, path) },
            AnswerWays.Facade("embedded facade", embedded.Process, embedded.Http, path),
        ];

        var tick = sources.TickSeconds;
        var ns = cluster.BigNamespace;
        var matchers = $"{ClusterLabel}=\"{ClusterName}\",namespace=\"{ns}\"";
        var costs = new List<AnswerCost>();

        var rollup = $"namespace rollup, {cluster.PodCount} pods, {sources.RollupWindowSeconds} s";
        var rollupPath = $"/api/namespaces/{ns}?window={sources.RollupWindowSeconds}&step={tick}";
        foreach (var way in FacadeWays(_ => rollupPath).Append(AnswerWays.PromQlRollup(prometheus.Http, matchers, sources.RollupWindowSeconds, tick, sources.RateRange)))
        {
            costs.Add(await MeasureAsync(rollup, way, sources.RollupQueries, prometheus, idleCpuPerSecond));
        }

        // The same random pods, in the same order, for every way.
        var random = new Random(options.Seed);
        var pods = Enumerable.Range(0, sources.PodQueries + AnswerCost.WarmUp(sources.PodQueries)).Select(_ => cluster.PodAt(random.Next(cluster.PodCount)).Name).ToArray();
        var pod = $"one pod, {sources.PodWindowSeconds} s";
        foreach (var way in FacadeWays(i => PodPath(ns, pods[i])).Append(
            AnswerWays.PromQlPod(prometheus.Http, i => $"{matchers},pod=\"{pods[i]}\"", sources.PodWindowSeconds, tick, sources.RateRange)))
        {
            costs.Add(await MeasureAsync(pod, way, sources.PodQueries, prometheus, idleCpuPerSecond));
        }
        return costs;
    }

    private string PodPath(string ns, string pod) => $"/api/pods/{pod}?namespace={ns}&window={sources.PodWindowSeconds}&step={sources.TickSeconds}";

    private static async Task<AnswerCost> MeasureAsync(string question, AnswerWay way, int count, BenchPrometheus prometheus, double idleCpuPerSecond)
    {
        var cost = await AnswerCost.MeasureAsync(question, way, count, AnswerCost.WarmUp(count), prometheus, idleCpuPerSecond);
        Console.WriteLine(
            $"{question}, {way.Name} [load average {ResultsFolder.LoadAverage()}]: n={cost.Count} p50 {cost.P50Ms:F1} ms, p95 {cost.P95Ms:F1} ms; per answer: " +
            $"facade CPU {cost.FacadeCpuMs:F1} ms, Prometheus CPU {cost.PrometheusCpuMs:F1} ms above idle, {cost.Requests:F1} requests to Prometheus, " +
            $"{cost.Samples:F0} samples read there in {cost.EvalMs:F0} ms of evaluation (its query log, wall clock), {cost.WireBytes:F0} B from it on the wire ({cost.JsonBytes:F0} B of JSON, {cost.ReplayedGzipBytes:F0} B gzip when the last answer's queries are asked again), answer {cost.AnswerBytes:F0} B; " +
            $"last answer {cost.Points} points, mean CPU {cost.MeanCpuCores:F3} cores");
        return cost;
    }

    private static HttpClient Client(Uri baseAddress, int connections) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromMinutes(5),
        };

    private static string Span(TimeSpan span) => span.ToString("c", CultureInfo.InvariantCulture);
}

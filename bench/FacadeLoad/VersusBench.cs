using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KubeMonitor.Contracts;
using KubeMonitor.Facade.Tests.Prometheus;

namespace KubeMonitor.FacadeLoad;

/// <summary>Settings of the side-by-side benchmark (<c>--versus</c>); see <see cref="VersusBench"/>.</summary>
internal sealed record VersusOptions(int Rounds, int WarmUpRounds, int RoundSeconds, int RollupWindowSeconds, int StepSeconds, int RollupQueries, int PodQueries, string RateRange, string? ResultsPath)
{
    public void Validate()
    {
        if (Rounds < 2 || RoundSeconds < 1 || WarmUpRounds < 0) throw new ArgumentException("--rounds must be at least 2, --round-seconds at least 1 and --warm-up-rounds not negative.");
        if (StepSeconds < RoundSeconds || RollupWindowSeconds < 2 * StepSeconds) throw new ArgumentException("--step must be at least a round and --rollup-window two steps.");
        if (RollupQueries < 2 || PodQueries < 2) throw new ArgumentException("--rollup-queries and --queries must be at least 2.");
    }
}

/// <summary>
/// "Facade against Prometheus" (docs/benchmarks.md): the same synthetic pods, one round every
/// <c>--round-seconds</c> on the wall clock, pushed to two facades (one in memory, one with a data
/// directory) and scraped by a real Prometheus from the exporter's section-4 series, served by this
/// process as one target per node. Then what each holds (RSS) and what a namespace's series and one
/// pod's window cost each. Every system is measured by what the kernel or its own counters say of
/// its process; this generator's CPU (JSON, exposition text) is nobody's.
/// </summary>
internal sealed class VersusBench(Options options, VersusOptions versus)
{
    private const string TestLabel = "cluster";

    // As docs/api.md section 4's exporter serves them, less what the facade is not pushed: the pod's
    // identity series (its labels ride on every series) and loopback traffic (the facade's node
    // totals leave it out). So both stores are given the same values.
    private static bool IsPushedValue(MetricSample sample) =>
        sample.Name != "kubemonitor_pod_info" && !(sample.Labels.TryGetValue("interface", out var device) && device == ExporterSeries.Loopback);

    public async Task RunAsync()
    {
        using var results = versus.ResultsPath is { } path ? ResultsFolder.Open(path) : null;
        var cluster = new Cluster(options.Nodes, options.PodsPerNode, options.Seed);
        Console.WriteLine(
            $"facade-load --versus {DateTimeOffset.UtcNow:u}: {cluster.PodCount} pods on {cluster.NodeCount} nodes, {versus.WarmUpRounds} warm-up rounds then {versus.Rounds} measured, one every {versus.RoundSeconds} s; " +
            $"{Environment.ProcessorCount} CPUs, load average {ResultsFolder.LoadAverage()}");

        var work = Directory.CreateTempSubdirectory("facade-load-versus-");
        try
        {
            using var targets = ScrapeTargets.Start(options.Port + 3, cluster.NodeCount);
            var scrape = $"""
                  scrape_interval: {versus.RoundSeconds}s
                  scrape_timeout: {versus.RoundSeconds}s
                scrape_configs:
                  - job_name: exporters
                    static_configs:
                {string.Join('\n', Enumerable.Range(0, cluster.NodeCount).Select(n =>
                    $"      - targets: ['127.0.0.1:{options.Port + 3}']\n        labels: {{instance: '{cluster.NodeName(n)}', __metrics_path__: '/metrics/{n}'}}"))}
                """;
            using var prometheus = await BenchPrometheus.StartAsync(options.Port + 2, Path.Combine(work.FullName, "queries.log"), scrape);
            Console.WriteLine($"Prometheus ready on {prometheus.Url}, scraping {cluster.NodeCount} targets every {versus.RoundSeconds} s");

            List<string> common = ["--Facade:MaxSeries", "10000000", .. options.FacadeArguments];
            var memoryUrl = new Uri($"http://127.0.0.1:{options.Port}");
            using var memory = await FacadeProcess.StartAsync(
                options.FacadeDll, ["--urls", memoryUrl.ToString().TrimEnd('/'), .. common], options.Environment, "/tmp/facade-load-versus-memory.log", memoryUrl);
            var durableUrl = new Uri($"http://127.0.0.1:{options.Port + 1}");
            var dataDirectory = Path.Combine(work.FullName, "facade-data");
            using var durable = await FacadeProcess.StartAsync(
                options.FacadeDll, ["--urls", durableUrl.ToString().TrimEnd('/'), "--Facade:DataDirectory", dataDirectory, .. common], options.Environment,
                "/tmp/facade-load-versus-durable.log", durableUrl);
            Console.WriteLine($"facades ready: in memory pid {memory.Id}, with a data directory pid {durable.Id} ({string.Join(' ', common)})");
            using var memoryHttp = Client(memoryUrl);
            using var durableHttp = Client(durableUrl);

            // Idle figures, so that each system's own upkeep shows apart from its ingest.
            var idle = await SnapshotAsync(memory, durable, prometheus, targets);
            await Task.Delay(TimeSpan.FromSeconds(5));
            var idleAfter = await SnapshotAsync(memory, durable, prometheus, targets);
            Console.WriteLine($"idle 5 s: CPU facade {Ms(idleAfter.MemoryCpu - idle.MemoryCpu)}, facade with data {Ms(idleAfter.DurableCpu - idle.DurableCpu)}, Prometheus {Ms(idleAfter.PrometheusCpu - idle.PrometheusCpu)} " +
                $"(with {idleAfter.Scrapes - idle.Scrapes} scrapes of empty targets); RSS {Mib(idleAfter.MemoryRss)}, {Mib(idleAfter.DurableRss)}, {Mib(idleAfter.PrometheusRss)}");

            var rows = new List<(string Measure, double Facade, double Durable, double Prometheus, string Unit)>();
            // The first rounds make every series and, in the facades, JIT-compile the ingest path (most
            // of their CPU in the first 15 to 20 s); Prometheus is compiled ahead of time. They are
            // measured apart, and the rounds after them show what a running system pays.
            if (versus.WarmUpRounds > 0)
            {
                var (warmUp, warmUpCpu) = await PlayMeasuredAsync(versus.WarmUpRounds, "warm-up");
                rows.Add(($"CPU per stored value, first {warmUp.Rounds} rounds (new series; the facades' JIT)", warmUpCpu.Facade, warmUpCpu.Durable, warmUpCpu.Prometheus, "us"));
            }
            var (rounds, cpu) = await PlayMeasuredAsync(versus.Rounds, "measured");
            var after = await SnapshotAsync(memory, durable, prometheus, targets);
            rows.Add((versus.WarmUpRounds > 0 ? $"CPU per stored value, the {rounds.Rounds} rounds after" : "CPU per stored value", cpu.Facade, cpu.Durable, cpu.Prometheus, "us"));
            rows.Add(($"RSS after {versus.WarmUpRounds + rounds.Rounds} rounds", after.MemoryRss / 1048576.0, after.DurableRss / 1048576.0, after.PrometheusRss / 1048576.0, "MiB"));

            async Task<(RoundStats Rounds, (double Facade, double Durable, double Prometheus) Cpu)> PlayMeasuredAsync(int count, string what)
            {
                var before = await SnapshotAsync(memory, durable, prometheus, targets);
                var played = await PlayAsync(cluster, targets, memoryHttp, durableHttp, count);
                // The last round is scraped within a round after it is served.
                await Task.Delay(TimeSpan.FromSeconds(versus.RoundSeconds * 1.5));
                var end = await SnapshotAsync(memory, durable, prometheus, targets);
                var scrapes = end.Scrapes - before.Scrapes;
                // Prometheus appends 5 series of its own at every scrape (up, scrape_duration_seconds, ...): not values of ours.
                var prometheusValues = end.PrometheusAppended - before.PrometheusAppended - 5.0 * scrapes;
                Console.WriteLine(
                    $"{what}: {played.Rounds} rounds ({played.Late} late) in {played.Wall.TotalSeconds:F1} s: {played.Values:N0} values pushed to each facade ({played.Rejected} pushes refused), " +
                    $"{prometheusValues:N0} values appended by Prometheus in {scrapes} scrapes ({end.PrometheusSeries:N0} head series); generator CPU {played.GeneratorCpu.TotalSeconds:F1} s; " +
                    $"CPU facade {Ms(end.MemoryCpu - before.MemoryCpu)}, facade with data {Ms(end.DurableCpu - before.DurableCpu)}, Prometheus {Ms(end.PrometheusCpu - before.PrometheusCpu)}; " +
                    $"load average {ResultsFolder.LoadAverage()}");
                return (played, (Us(end.MemoryCpu - before.MemoryCpu, played.Values), Us(end.DurableCpu - before.DurableCpu, played.Values),
                    Us(end.PrometheusCpu - before.PrometheusCpu, prometheusValues)));
            }

            var ns = cluster.BigNamespace;
            var nsPods = Enumerable.Range(0, cluster.PodCount).Count(i => i % cluster.BigNamespaceStride == 0);
            var rollupPath = $"/api/namespaces/{ns}?window={versus.RollupWindowSeconds}&step={versus.StepSeconds}";
            var matchers = $"namespace=\"{ns}\"";
            var rollup = $"namespace series, {nsPods} pods, {versus.RollupWindowSeconds} s at {versus.StepSeconds} s steps";
            // Its scrapes go on during the reads: its idle rate is subtracted from its answers.
            var idleCpu = await prometheus.IdleCpuPerSecondAsync();
            var costs = new List<AnswerCost>();
            foreach (var way in new[]
            {
                AnswerWays.Facade("facade", memory, memoryHttp, _ => rollupPath),
                AnswerWays.Facade("facade with data", durable, durableHttp, _ => rollupPath),
                AnswerWays.PromQlRollup(prometheus.Http, matchers, versus.RollupWindowSeconds, versus.StepSeconds, versus.RateRange),
            })
            {
                costs.Add(await MeasureAsync(rollup, way, versus.RollupQueries, prometheus, idleCpu));
            }
            var random = new Random(options.Seed);
            var pods = Enumerable.Range(0, versus.PodQueries + AnswerCost.WarmUp(versus.PodQueries)).Select(_ => cluster.PodAt(random.Next(cluster.PodCount))).ToArray();
            string PodPath(int i) => $"/api/pods/{pods[i].Name}?namespace={pods[i].Namespace}&window=300";
            var pod = "one pod's 5-minute window";
            foreach (var way in new[]
            {
                AnswerWays.Facade("facade", memory, memoryHttp, PodPath),
                AnswerWays.Facade("facade with data", durable, durableHttp, PodPath),
                AnswerWays.PromQlPod(prometheus.Http, i => $"namespace=\"{pods[i].Namespace}\",pod=\"{pods[i].Name}\"", 300, versus.StepSeconds, versus.RateRange),
            })
            {
                costs.Add(await MeasureAsync(pod, way, versus.PodQueries, prometheus, idleCpu));
            }
            foreach (var question in new[] { rollup, pod })
            {
                var answers = costs.Where(c => c.Question == question).ToArray();
                rows.Add(($"{question}, p50", answers[0].P50Ms, answers[1].P50Ms, answers[2].P50Ms, "ms"));
                rows.Add(($"{question}, CPU per answer", answers[0].FacadeCpuMs, answers[1].FacadeCpuMs, answers[2].PrometheusCpuMs, "ms"));
            }

            var table = new StringBuilder()
                .AppendLine("| measure | facade | facade with data directory | Prometheus 2.42 | ratio | ratio with data directory |")
                .AppendLine("|---|---|---|---|---|---|");
            foreach (var (measure, facade, withData, prom, unit) in rows)
            {
                table.AppendLine(CultureInfo.InvariantCulture,
                    $"| {measure} | {facade:F2} {unit} | {withData:F2} {unit} | {prom:F2} {unit} | {facade / prom:F2}x | {withData / prom:F2}x |");
            }
            Console.WriteLine();
            Console.WriteLine(table);
            Console.WriteLine(AnswerCost.TableHeader + "\n" + string.Join('\n', costs.Select(c => c.TableRow())));
            results?.WriteFile("table.md", table.ToString());
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The rounds on the wall clock: each node's batch pushed to both facades and served to Prometheus as text.</summary>
    private async Task<RoundStats> PlayAsync(Cluster cluster, ScrapeTargets targets, HttpClient memory, HttpClient durable, int count)
    {
        var stats = new RoundStats();
        var series = new ExporterSeries(TestLabel, "bench");
        var selfBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var roundMs = versus.RoundSeconds * 1000L;
        var next = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / roundMs + 1) * roundMs;
        for (var round = 0; round < count; round++, next += roundMs)
        {
            var wait = next - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait));
            else stats.Late++;
            var timestamp = DateTimeOffset.FromUnixTimeMilliseconds(next);
            await Parallel.ForEachAsync(Enumerable.Range(0, cluster.NodeCount), new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency }, async (node, ct) =>
            {
                var buffer = new ArrayBufferWriter<byte>(32 * 1024);
                cluster.WriteBatch(node, timestamp, versus.RoundSeconds, buffer);
                var batch = JsonSerializer.Deserialize(buffer.WrittenSpan, ContractJson.Default.Batch)!;
                var values = series.ForBatch(cluster.NodeName(node), batch, next).Where(IsPushedValue).ToList();
                targets.Serve(node, Exposition(values));
                var path = new Uri($"/api/nodes/{cluster.NodeName(node)}/batch", UriKind.Relative);
                var pushes = await Task.WhenAll(PushAsync(memory, path, buffer.WrittenMemory, ct), PushAsync(durable, path, buffer.WrittenMemory, ct));
                Interlocked.Add(ref stats.Values, values.Count);
                Interlocked.Add(ref stats.Rejected, pushes.Count(ok => !ok));
            });
            stats.Rounds++;
        }
        stats.Wall = wall.Elapsed;
        stats.GeneratorCpu = Process.GetCurrentProcess().TotalProcessorTime - selfBefore;
        return stats;
    }

    private static async Task<bool> PushAsync(HttpClient http, Uri path, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(path, content, cancellationToken);
        return response.StatusCode == HttpStatusCode.Accepted;
    }

    /// <summary>The text exposition format (0.0.4) of one scrape, without timestamps, as the exporter serves it.</summary>
    private static byte[] Exposition(List<MetricSample> values)
    {
        var text = new StringBuilder(values.Count * 120);
        foreach (var group in values.GroupBy(v => v.Name))
        {
            text.Append("# TYPE ").Append(group.Key).Append(group.Key.EndsWith("_total", StringComparison.Ordinal) ? " counter\n" : " gauge\n");
            foreach (var value in group)
            {
                text.Append(value.Name).Append('{');
                var first = true;
                foreach (var (name, label) in value.Labels.Where(l => l.Key != TestLabel).OrderBy(l => l.Key, StringComparer.Ordinal))
                {
                    if (!first) text.Append(',');
                    first = false;
                    text.Append(name).Append("=\"").Append(label.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
                }
                text.Append("} ").Append(value.Value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static async Task<Snapshot> SnapshotAsync(FacadeProcess memory, FacadeProcess durable, BenchPrometheus prometheus, ScrapeTargets targets)
    {
        var counters = await prometheus.CountersAsync();
        return new Snapshot(
            memory.CpuTime(), durable.CpuTime(), TimeSpan.FromSeconds(counters.CpuSeconds), memory.ResidentBytes(), durable.ResidentBytes(),
            (long)counters.ResidentBytes, counters.SamplesAppended, counters.HeadSeries, targets.Scrapes);
    }

    private static async Task<AnswerCost> MeasureAsync(string question, AnswerWay way, int count, BenchPrometheus prometheus, double idleCpuPerSecond)
    {
        var cost = await AnswerCost.MeasureAsync(question, way, count, AnswerCost.WarmUp(count), prometheus, idleCpuPerSecond);
        Console.WriteLine(
            $"{question}, {way.Name} [load average {ResultsFolder.LoadAverage()}]: n={cost.Count} p50 {cost.P50Ms:F2} ms, p95 {cost.P95Ms:F2} ms; per answer: " +
            $"facade CPU {cost.FacadeCpuMs:F2} ms, Prometheus CPU {cost.PrometheusCpuMs:F2} ms above idle, {cost.Samples:F0} samples read there; answer {cost.AnswerBytes:F0} B, " +
            $"last answer {cost.Points} points, mean CPU {cost.MeanCpuCores:F3} cores");
        return cost;
    }

    private static HttpClient Client(Uri baseAddress) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 8, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromMinutes(2),
        };

    private static double Us(TimeSpan cpu, double values) => cpu.TotalMilliseconds * 1000 / values;

    private static string Ms(TimeSpan cpu) => $"{cpu.TotalMilliseconds:F0} ms";

    private static string Mib(long bytes) => $"{bytes / 1048576.0:F0} MiB";

    private sealed record Snapshot(
        TimeSpan MemoryCpu, TimeSpan DurableCpu, TimeSpan PrometheusCpu, long MemoryRss, long DurableRss, long PrometheusRss,
        double PrometheusAppended, double PrometheusSeries, long Scrapes);

    private sealed class RoundStats
    {
        public long Values;
        public int Rejected;
        public int Rounds;
        public int Late;
        public TimeSpan Wall;
        public TimeSpan GeneratorCpu;
    }
}

/// <summary>
/// The exporters Prometheus scrapes: <c>GET /metrics/{node}</c> on 127.0.0.1 answers the node's
/// latest round as text (an empty page before the first). Counts the scrapes it answers.
/// </summary>
internal sealed class ScrapeTargets : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly byte[][] _pages;
    private long _scrapes;

    private ScrapeTargets(int port, int nodes)
    {
        _pages = [.. Enumerable.Range(0, nodes).Select(_ => Array.Empty<byte>())];
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/metrics/");
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public long Scrapes => Interlocked.Read(ref _scrapes);

    public static ScrapeTargets Start(int port, int nodes) => new(port, nodes);

    public void Serve(int node, byte[] page) => Volatile.Write(ref _pages[node], page);

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using var response = context.Response;
                var segment = context.Request.Url?.Segments[^1];
                if (!int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var node) || node >= _pages.Length)
                {
                    response.StatusCode = 404;
                    return;
                }
                var page = Volatile.Read(ref _pages[node]);
                response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                response.ContentLength64 = page.Length;
                try
                {
                    await response.OutputStream.WriteAsync(page);
                }
                catch (HttpListenerException)
                {
                    return; // the scrape timed out and went away
                }
                Interlocked.Increment(ref _scrapes);
            });
        }
    }

    public void Dispose() => _listener.Close();
}

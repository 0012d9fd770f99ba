// Load and latency benchmark of the facade as a real process (docs/benchmarks.md, "Facade").
// Plays N nodes x M pods pushing POST /api/nodes/{node}/batch: first a fast backfill of
// history (tick by tick for all nodes, oldest first), then live ticks every 5 s, then the
// read latencies of the API. Run from the repository root after
//   dotnet build facade -c Release && dotnet build bench/FacadeLoad -c Release
//   dotnet bench/FacadeLoad/bin/Release/net10.0/facade-load.dll [options]
// Options (defaults): --nodes 5000 --pods-per-node 30 --backfill-minutes 15 --lead-seconds 0
//   --live-seconds 30 --concurrency 4 --queries 200 --port 5080 --seed 1
//   --facade facade/bin/Release/net10.0/kubemonitor-facade.dll
//   --env NAME=VALUE (facade environment, repeatable) --arg X (extra facade argument, repeatable)
// --lead-seconds L: history is stamped to end L seconds after the start (the facade gets
// MaxFutureSkew above L), so that a backfill taking about L seconds ends at "now" and the
// 5-minute windows read full history.
// --hostile: after the backfill, the hostile part (Hostile.cs) instead of the live phase and
// the reads; its options (defaults): --hostile-seconds 60 (each phase) --slow-readers 20
//   --slow-read-bytes-per-second 2048 --offender-pods 3000 --offender-parts 6 --shared-namespaces 10000
// --page: after the backfill, the page at / in a real browser (PageBench.cs) instead of the live
// phase and the reads; its options (defaults): --backfill-minutes 1 --live-seconds 0 --runs 5
//   --refreshes 10 --browser /usr/bin/chromium --max-load 3 (1-minute load to wait for) --load-wait-minutes 20
// --sources: the facade over Prometheus against the embedded facade and PromQL (SourceBench.cs),
// on a cluster of its own (every pod in one namespace); its options (defaults): --nodes 100
//   --pods-per-node 100 --lead-seconds 600 --tick-seconds 15 --rollup-window 300 --pod-window 3600
//   --rollup-queries 30 --queries 100 (pod series) --rate-range 1m (PromQL) --ticks-per-write 4
//   --results DIR (machine.txt, output.txt, table.md) --query-log FILE (Prometheus's, kept)
//   --baseline-facade DLL (another build read over Prometheus too, on --port + 3: a change's
//   before beside its after); Prometheus listens on --port + 2
// --durable DIR: ingest CPU, disk and restart time with Facade:DataDirectory (DurableBench.cs);
//   its options (defaults): --checkpoint-seconds 60 --steady-minutes 0 --wal-sync Always,Periodic --results DIR (machine.txt, output.txt, table.md)
// --versus: the same pods pushed to two facades (in memory, with a data directory) and scraped by a
// real Prometheus (VersusBench.cs): CPU per stored value, RSS, a namespace's series and one pod's
// window, side by side; its options (defaults): --nodes 100 --pods-per-node 100 --rounds 60
//   --round-seconds 1 --rollup-window 60 --step 5 --rollup-queries 30 --queries 100 --rate-range 6s
//   --results DIR; the facades listen on --port and --port + 1, Prometheus on --port + 2, its targets on --port + 3
// --metrics-api: metrics.k8s.io/v1beta1 on the facade's HTTPS listener (--port + 1) at full size
// (MetricsApiBench.cs): pods pushed with labels, then all pods, 100 pods of one namespace by label
// selector, and all nodes, each timed; its options (defaults): --backfill-ticks 3
//   --all-pods-queries 10 --queries 200 --warm-up 20
using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using KubeMonitor.FacadeLoad;

var options = Options.Parse(args);
options.Hostile?.Validate();
if (options.Sources is { } sources)
{
    // Its own cluster, history and processes: docs/benchmarks.md, "Facade over Prometheus".
    sources.Validate();
    await new SourceBench(options, sources).RunAsync();
    return;
}
if (options.Versus is { } versus)
{
    // Its own cluster, rounds and processes: docs/benchmarks.md, "Facade against Prometheus".
    versus.Validate();
    await new VersusBench(options, versus).RunAsync();
    return;
}
if (options.Durable is { } durable)
{
    // Three facades on the same backfill: docs/benchmarks.md, "Data on disk".
    durable.Validate();
    await new DurableBench(options, durable).RunAsync();
    return;
}
if (options.MetricsApi is { } metricsApi)
{
    // Its own pushes and reads: docs/benchmarks.md, "metrics.k8s.io".
    metricsApi.Validate();
    await new MetricsApiBench(options, metricsApi).RunAsync();
    return;
}
var baseAddress = new Uri($"http://127.0.0.1:{options.Port}");
Console.WriteLine($"facade-load {DateTimeOffset.UtcNow:u}: {options.Nodes} nodes x {options.PodsPerNode} pods, backfill {options.BackfillMinutes} min, lead {options.LeadSeconds} s, live {options.LiveSeconds} s, concurrency {options.Concurrency}, {Environment.ProcessorCount} CPUs");

var stopwatch = Stopwatch.StartNew();
var cluster = new Cluster(options.Nodes, options.PodsPerNode, options.Seed);
Console.WriteLine($"cluster of {cluster.PodCount} pods built in {stopwatch.Elapsed.TotalSeconds:F1} s");

var facadeArguments = new List<string>
{
    "--urls", baseAddress.ToString().TrimEnd('/'),
    // Entities must not go stale while history is backfilled, nor before the reads: the oldest
    // ticks are almost a whole backfill old when they are pushed. (A fixed 30 minutes let the
    // sweeper retire every pod during the first minutes of an hour's backfill, so the store held
    // only the later part of it: docs/benchmarks.md, "Closed chunks in page slabs".)
    "--Facade:Staleness", TimeSpan.FromMinutes(Math.Max(30, options.BackfillMinutes + 15)).ToString("c", CultureInfo.InvariantCulture),
    "--Facade:MaxFutureSkew", TimeSpan.FromSeconds(options.LeadSeconds + 60).ToString("c", CultureInfo.InvariantCulture),
    "--Facade:MaxSeries", "10000000",
};
facadeArguments.AddRange(options.FacadeArguments);
using var facade = await FacadeProcess.StartAsync(options.FacadeDll, facadeArguments, options.Environment, "/tmp/facade-load-facade.log", baseAddress);
Console.WriteLine($"facade pid {facade.Id} ready, {string.Join(' ', facadeArguments)} {string.Join(' ', options.Environment.Select(e => $"{e.Key}={e.Value}"))}");
var idleRss = facade.ResidentBytes();
Console.WriteLine($"idle RSS {idleRss / 1048576.0:F0} MiB");

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
{
    BaseAddress = baseAddress,
    Timeout = TimeSpan.FromMinutes(5),
};
var pusher = new Pusher(cluster, http, options.Concurrency);

// Backfill: tick k of K is stamped end - (K - 1 - k) * 5 s; all pushed as fast as the facade takes them.
const int TickSeconds = 5;
var ticks = options.BackfillMinutes * 60 / TickSeconds;
var startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
var endMs = (startMs + options.LeadSeconds * 1000L) / 5000 * 5000;
var backfill = await pusher.RunAsync(facade, Enumerable.Range(0, ticks).Select(k => endMs - (ticks - 1 - k) * TickSeconds * 1000L), paced: false);
backfill.Print("backfill");
var lateSeconds = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - endMs) / 1000.0;
Console.WriteLine(lateSeconds > 0
    ? $"history ends {lateSeconds:F0} s before now (a larger --lead-seconds would end it at now)"
    : $"history ends {-lateSeconds:F0} s ahead; waiting for it");
if (lateSeconds < 0) await Task.Delay(TimeSpan.FromSeconds(-lateSeconds));
Report.Memory(facade, http, idleRss, backfill.Stored, "after backfill");

if (options.Page is { } pageOptions)
{
    // Instead of the live phase and the reads: docs/benchmarks.md, "Page (issue 13)".
    await new PageBench(pageOptions, cluster, facade, baseAddress).RunAsync();
    return;
}

if (options.Hostile is { } hostile)
{
    // Instead of the live phase and the reads: docs/benchmarks.md, "Hostile load".
    var idleStoreRss = facade.ResidentBytes();
    await new HostileLoad(hostile, cluster, facade, http, pusher, baseAddress, options.Seed).RunAsync(idleStoreRss, endMs);
    Report.Memory(facade, http, idleRss, -1, "after the hostile part");
    return;
}

// Live: ticks on the wall clock's 5 s boundaries, as exporters push.
if (options.LiveSeconds > 0)
{
    var firstLive = Math.Max(endMs + 5000, (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 5000 + 1) * 5000);
    using var stopSampling = new CancellationTokenSource();
    var rssDuringLive = Report.SampleRssAsync(facade, stopSampling.Token);
    var live = await pusher.RunAsync(facade, Enumerable.Range(0, options.LiveSeconds / TickSeconds).Select(k => firstLive + k * TickSeconds * 1000L), paced: true);
    await stopSampling.CancelAsync();
    live.Print("live");
    Report.RssSpread(await rssDuringLive, "during live");
    Report.Memory(facade, http, idleRss, backfill.Stored + live.Stored, "after live");
}

// Reads, with no pushes running.
var random = new Random(options.Seed);
var bigNamespacePods = Enumerable.Range(0, cluster.PodCount).Where(i => i % cluster.BigNamespaceStride == 0).ToList();
var deployment = Cluster.DeploymentOf(bigNamespacePods.Count / 2);
await Report.LatencyAsync(facade, http, $"GET /api/namespaces/{cluster.BigNamespace}?window=300 ({bigNamespacePods.Count} pods)", options.Queries,
    _ => $"/api/namespaces/{cluster.BigNamespace}?window=300");
await Report.LatencyAsync(facade, http, $"GET /api/namespaces/{cluster.BigNamespace}/deployments/{deployment}?window=300", options.Queries,
    _ => $"/api/namespaces/{cluster.BigNamespace}/deployments/{deployment}?window=300");
await Report.LatencyAsync(facade, http, "GET /api/pods/{pod}?namespace=&window=300 (random pods)", options.Queries, _ =>
{
    var (ns, name) = cluster.PodAt(random.Next(cluster.PodCount));
    return $"/api/pods/{name}?namespace={ns}&window=300";
});
await Report.LatencyAsync(facade, http, "GET /api/pods/{pod}?namespace= (latest view)", options.Queries, _ =>
{
    var (ns, name) = cluster.PodAt(random.Next(cluster.PodCount));
    return $"/api/pods/{name}?namespace={ns}";
});
await Report.LatencyAsync(facade, http, $"GET /api/pods (all {cluster.PodCount})", Math.Max(3, options.Queries / 50), _ => "/api/pods");
if (options.PageSize > 0)
{
    await Report.PagesAsync(http, options.PageSize);
}
Report.Memory(facade, http, idleRss, -1, "after reads");
return;

/// <summary>Pushes ticks of every node, up to <c>concurrency</c> requests at a time, and counts what the facade stored.</summary>
internal sealed class Pusher(Cluster cluster, HttpClient http, int concurrency)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <param name="alongEachTick">Run beside each tick's pushes (another client's requests of the same tick); the tick waits for it.</param>
    /// <param name="onBatch">Sees each node's batch (node, tick, JSON) before it is pushed: the same data for another backend.</param>
    public async Task<PushStats> RunAsync(
        FacadeProcess facade, IEnumerable<long> tickTimestamps, bool paced, Func<DateTimeOffset, Task>? alongEachTick = null, Action<int, long, ReadOnlyMemory<byte>>? onBatch = null)
    {
        var stats = new PushStats();
        var cpuBefore = facade.CpuTime();
        var selfBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var lastTick = 0L;
        foreach (var tickMs in tickTimestamps)
        {
            if (paced)
            {
                var wait = tickMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait));
                else stats.LateTicks++;
            }
            var seconds = lastTick == 0 ? 5.0 : (tickMs - lastTick) / 1000.0;
            lastTick = tickMs;
            var timestamp = DateTimeOffset.FromUnixTimeMilliseconds(tickMs);
            var alongside = alongEachTick?.Invoke(timestamp) ?? Task.CompletedTask;
            await Parallel.ForEachAsync(Enumerable.Range(0, cluster.NodeCount), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (node, ct) =>
            {
                var buffer = new ArrayBufferWriter<byte>(32 * 1024);
                cluster.WriteBatch(node, timestamp, seconds, buffer);
                onBatch?.Invoke(node, tickMs, buffer.WrittenMemory);
                using var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
                content.Headers.ContentType = Json;
                // Timed from send to the answer's last byte: one node's push, whatever the store holds.
                var started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync(new Uri($"/api/nodes/{cluster.NodeName(node)}/batch", UriKind.Relative), content, ct);
                var body = await response.Content.ReadAsByteArrayAsync(ct);
                stats.Add(response.IsSuccessStatusCode, body, buffer.WrittenCount, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            });
            await alongside;
            stats.Ticks++;
        }
        stats.Wall = wall.Elapsed;
        stats.FacadeCpu = facade.CpuTime() - cpuBefore;
        stats.GeneratorCpu = Process.GetCurrentProcess().TotalProcessorTime - selfBefore;
        return stats;
    }
}

internal sealed class PushStats
{
    private long _stored, _rejected, _dropped, _bytes, _requests;
    private string? _firstError;
    private readonly ConcurrentQueue<double> _latenciesMs = new();

    public int Ticks { get; set; }
    public int LateTicks { get; set; }
    public TimeSpan Wall { get; set; }
    public TimeSpan FacadeCpu { get; set; }
    public TimeSpan GeneratorCpu { get; set; }
    public long Stored => Interlocked.Read(ref _stored);
    public long Rejected => Interlocked.Read(ref _rejected);
    public long Dropped => Interlocked.Read(ref _dropped);
    public long Requests => Interlocked.Read(ref _requests);
    public string? FirstError => _firstError;

    /// <summary>Each push's latency in milliseconds, sorted.</summary>
    public double[] SortedLatencies() => [.. _latenciesMs.Order()];

    public void Add(bool success, byte[] body, int requestBytes, double latencyMs)
    {
        _latenciesMs.Enqueue(latencyMs);
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytes, requestBytes);
        if (!success)
        {
            Interlocked.Increment(ref _rejected);
            Interlocked.CompareExchange(ref _firstError, System.Text.Encoding.UTF8.GetString(body), null);
            return;
        }
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Interlocked.Add(ref _stored, root.GetProperty("stored").GetInt64());
        Interlocked.Add(ref _dropped, root.GetProperty("duplicates").GetInt64() + root.GetProperty("outOfOrder").GetInt64() + root.GetProperty("tooOld").GetInt64());
    }

    public void Print(string phase)
    {
        var perSampleUs = FacadeCpu.TotalMicroseconds / Math.Max(1, Stored);
        Console.WriteLine(
            $"{phase}: {Ticks} ticks ({LateTicks} late), {_requests} pushes ({_bytes / Math.Max(1, _requests)} B each), {Stored} samples stored (node and pod rows; containers ride along), " +
            $"{_dropped} dropped, {_rejected} rejected in {Wall.TotalSeconds:F1} s = {Stored / Wall.TotalSeconds:F0} samples/s; " +
            $"facade CPU {FacadeCpu.TotalSeconds:F1} s = {perSampleUs:F1} us per sample ({FacadeCpu / Wall:P0} of one core); generator CPU {GeneratorCpu.TotalSeconds:F1} s");
        Console.WriteLine($"  load average {File.ReadAllText("/proc/loadavg").Trim()}");
        if (_firstError is not null) Console.WriteLine($"  first rejection: {_firstError}");
    }
}

internal static class Report
{
    public static void Memory(FacadeProcess facade, HttpClient http, long idleRss, long samplesHeld, string when)
    {
        var rss = facade.ResidentBytes();
        var metrics = http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).GetAwaiter().GetResult();
        var series = MetricValue(metrics, "kubemonitor_facade_series");
        var bytesHeld = MetricValue(metrics, "kubemonitor_facade_bytes_held");
        var perSample = samplesHeld > 0 ? $", {rss / (double)samplesHeld:F1} B RSS per stored sample ({(rss - idleRss) / (double)samplesHeld:F1} above idle), store's own count {bytesHeld / samplesHeld:F1} B" : "";
        Console.WriteLine($"{when} (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}): RSS {rss / 1048576.0:F0} MiB, series {series:F0}, bytes held {bytesHeld / 1048576.0:F0} MiB{perSample}");
    }

    /// <summary>The facade's RSS every 500 ms until stopped: a single reading depends on when the GC last compacted.</summary>
    public static async Task<List<long>> SampleRssAsync(FacadeProcess facade, CancellationToken stop)
    {
        var readings = new List<long>();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            while (await timer.WaitForNextTickAsync(stop)) readings.Add(facade.ResidentBytes());
        }
        catch (OperationCanceledException)
        {
        }
        return readings;
    }

    public static void RssSpread(List<long> readings, string when)
    {
        if (readings.Count == 0) return;
        readings.Sort();
        Console.WriteLine($"RSS {when} ({readings.Count} readings, every 500 ms): min {readings[0] / 1048576.0:F0} MiB, median {readings[readings.Count / 2] / 1048576.0:F0} MiB, max {readings[^1] / 1048576.0:F0} MiB");
    }

    public static double MetricValue(string text, string name)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal)) return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
        }
        return double.NaN;
    }

    public static async Task LatencyAsync(FacadeProcess facade, HttpClient http, string what, int count, Func<int, string> path)
    {
        // Warm-up: JIT and tiering of the handler, a few rounds not counted.
        for (var i = 0; i < Math.Min(20, count); i++) await GetAsync(http, path(i));
        var timings = new double[count];
        // The facade's CPU time per answer does not depend on what else the machine runs, unlike latency.
        var cpuBefore = facade.CpuTime();
        long bytes = 0;
        var failures = 0;
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var (ok, length) = await GetAsync(http, path(i));
            timings[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            bytes += length;
            if (!ok) failures++;
        }
        var cpuPerAnswer = (facade.CpuTime() - cpuBefore).TotalMilliseconds / count;
        Array.Sort(timings);
        what += $" [load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}]";
        Console.WriteLine($"{what}: n={count} p50 {Percentile(timings, 0.50):F2} ms, p99 {Percentile(timings, 0.99):F2} ms, max {timings[^1]:F2} ms, facade CPU {cpuPerAnswer:F2} ms per answer, {bytes / count} B per answer{(failures > 0 ? $", {failures} FAILED" : "")}");
    }

    /// <summary>Walks every page of GET /api/pods?limit=N and times the whole walk and each page.</summary>
    public static async Task PagesAsync(HttpClient http, int pageSize)
    {
        var pages = new List<double>();
        var items = 0;
        string? token = null;
        var walk = Stopwatch.StartNew();
        do
        {
            var path = $"/api/pods?limit={pageSize}" + (token is null ? "" : $"&continue={Uri.EscapeDataString(token)}");
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            var body = await response.Content.ReadAsByteArrayAsync();
            pages.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            response.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(body);
            items += json.RootElement.GetProperty("items").GetArrayLength();
            token = json.RootElement.TryGetProperty("continue", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (token is not null);
        var sorted = pages.Order().ToArray();
        Console.WriteLine($"GET /api/pods?limit={pageSize} walk: {items} pods in {pages.Count} pages, {walk.Elapsed.TotalSeconds:F2} s; page p50 {Percentile(sorted, 0.5):F2} ms, p99 {Percentile(sorted, 0.99):F2} ms");
    }

    private static async Task<(bool Ok, long Length)> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseContentRead);
        var body = await response.Content.ReadAsByteArrayAsync();
        return (response.IsSuccessStatusCode, body.Length);
    }

    public static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}

internal sealed record Options(
    int Nodes, int PodsPerNode, int BackfillMinutes, int LeadSeconds, int LiveSeconds, int Concurrency, int Queries, int Port, int Seed, int PageSize,
    string FacadeDll, Dictionary<string, string> Environment, List<string> FacadeArguments, HostileOptions? Hostile, SourcesOptions? Sources,
    DurableOptions? Durable,
    MetricsApiBenchOptions? MetricsApi,
    PageOptions? Page,
    VersusOptions? Versus)
{
    /// <summary>Defaults of the sources mode where they differ: 10,000 pods in one namespace, 100 a node.</summary>
    private static readonly Dictionary<string, int> SourcesDefaults = new(StringComparer.Ordinal)
    {
        ["--nodes"] = 100, ["--pods-per-node"] = 100, ["--lead-seconds"] = 600, ["--queries"] = 100,
    };

    /// <summary>Defaults of the side-by-side mode where they differ: 10,000 pods, a minute of rounds, a minute's namespace series.</summary>
    private static readonly Dictionary<string, int> VersusDefaults = new(StringComparer.Ordinal)
    {
        ["--nodes"] = 100, ["--pods-per-node"] = 100, ["--rollup-window"] = 60, ["--queries"] = 100,
    };

    /// <summary>Defaults of the page mode where they differ: a minute of history is enough for latest views, and nothing pushes while the page is measured.</summary>
    private static readonly Dictionary<string, int> PageDefaults = new(StringComparer.Ordinal)
    {
        ["--backfill-minutes"] = 1, ["--live-seconds"] = 0,
    };

    public static Options Parse(string[] args)
    {
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["--nodes"] = 5000, ["--pods-per-node"] = 30, ["--backfill-minutes"] = 15, ["--lead-seconds"] = 0, ["--live-seconds"] = 30,
            ["--concurrency"] = 4, ["--queries"] = 200, ["--port"] = 5080, ["--seed"] = 1, ["--page-size"] = 0,
            ["--hostile-seconds"] = 60, ["--slow-readers"] = 20, ["--slow-read-bytes-per-second"] = 2048, ["--offender-pods"] = 3000,
            ["--offender-parts"] = 6, ["--shared-namespaces"] = 10_000,
            ["--runs"] = 5, ["--refreshes"] = 10, ["--load-wait-minutes"] = 20,
            ["--tick-seconds"] = 15, ["--rollup-window"] = 300, ["--pod-window"] = 3600, ["--rollup-queries"] = 30, ["--ticks-per-write"] = 4,
            ["--checkpoint-seconds"] = 60, ["--steady-minutes"] = 0,
            ["--backfill-ticks"] = 3, ["--all-pods-queries"] = 10, ["--warm-up"] = 20,
            ["--rounds"] = 60, ["--warm-up-rounds"] = 30, ["--round-seconds"] = 1, ["--step"] = 5,
        };
        var versus = args.Contains("--versus");
        if (versus)
        {
            foreach (var (name, value) in VersusDefaults) numbers[name] = value;
        }
        var sources = args.Contains("--sources");
        if (sources)
        {
            foreach (var (name, value) in SourcesDefaults) numbers[name] = value;
        }
        var page = args.Contains("--page");
        if (page)
        {
            foreach (var (name, value) in PageDefaults) numbers[name] = value;
        }
        var browser = "/usr/bin/chromium";
        var maxLoad = 3.0;
        // The side-by-side mode scrapes every second: Grafana's $__rate_interval at 5 s steps is 6 s.
        var rateRange = versus ? "6s" : "1m";
        string? results = null, queryLog = null, baselineFacade = null, durable = null;
        string[] walSyncs = ["Always", "Periodic"];
        var dll = "facade/bin/Release/net10.0/kubemonitor-facade.dll";
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var extra = new List<string>();
        var hostile = false;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name == "--hostile")
            {
                hostile = true;
                continue;
            }
            if (name is "--sources" or "--metrics-api" or "--page" or "--versus") continue;
            var value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            if (numbers.ContainsKey(name)) numbers[name] = int.Parse(value, CultureInfo.InvariantCulture);
            else if (name == "--facade") dll = value;
            else if (name == "--env") environment[value[..value.IndexOf('=', StringComparison.Ordinal)]] = value[(value.IndexOf('=', StringComparison.Ordinal) + 1)..];
            else if (name == "--arg") extra.Add(value);
            else if (name == "--rate-range") rateRange = value;
            else if (name == "--results") results = value;
            else if (name == "--query-log") queryLog = value;
            else if (name == "--baseline-facade") baselineFacade = value;
            else if (name == "--durable") durable = value;
            else if (name == "--wal-sync") walSyncs = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            else if (name == "--browser") browser = value;
            else if (name == "--max-load") maxLoad = double.Parse(value, CultureInfo.InvariantCulture);
            else throw new ArgumentException($"Unknown option {name}");
        }
        var hostileOptions = hostile
            ? new HostileOptions(
                numbers["--hostile-seconds"], numbers["--slow-readers"], numbers["--slow-read-bytes-per-second"],
                numbers["--offender-pods"], numbers["--offender-parts"], numbers["--shared-namespaces"])
            : null;
        var sourcesOptions = sources
            ? new SourcesOptions(
                numbers["--tick-seconds"], numbers["--rollup-window"], numbers["--pod-window"], numbers["--rollup-queries"], numbers["--queries"],
                numbers["--ticks-per-write"], rateRange, results, queryLog, baselineFacade)
            : null;
        return new Options(
            numbers["--nodes"], numbers["--pods-per-node"], numbers["--backfill-minutes"], numbers["--lead-seconds"], numbers["--live-seconds"],
            numbers["--concurrency"], numbers["--queries"], numbers["--port"], numbers["--seed"], numbers["--page-size"], dll, environment, extra,
            hostileOptions, sourcesOptions, durable is null ? null : new DurableOptions(durable, numbers["--checkpoint-seconds"], numbers["--steady-minutes"], walSyncs, results),
            args.Contains("--metrics-api") ? new MetricsApiBenchOptions(numbers["--backfill-ticks"], numbers["--all-pods-queries"], numbers["--queries"], numbers["--warm-up"]) : null,
            page ? new PageOptions(numbers["--runs"], numbers["--refreshes"], browser, maxLoad, numbers["--load-wait-minutes"]) : null,
            versus
                ? new VersusOptions(
                    numbers["--rounds"], numbers["--warm-up-rounds"], numbers["--round-seconds"], numbers["--rollup-window"], numbers["--step"], numbers["--rollup-queries"], numbers["--queries"],
                    rateRange, results)
                : null);
    }
}

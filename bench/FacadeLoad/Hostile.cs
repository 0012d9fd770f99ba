using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace KubeMonitor.FacadeLoad;

/// <summary>Settings of the hostile part (<c>--hostile</c>); see <see cref="HostileLoad"/>.</summary>
internal sealed record HostileOptions(
    int PhaseSeconds, int SlowReaders, int SlowReadBytesPerSecond, int OffenderPods, int OffenderParts, int SharedNamespaces)
{
    /// <summary>The shared-name inserts go 50 to a push and are timed in groups of 1,000 (the first and last are compared).</summary>
    public const int InsertsPerPush = 50;
    public const int InsertGroup = 1000;

    public void Validate()
    {
        if (PhaseSeconds < 10) throw new ArgumentException("--hostile-seconds must be at least 10 (two ticks).");
        if (SlowReaders < 1) throw new ArgumentException("--slow-readers must be at least 1.");
        if (SlowReadBytesPerSecond < 64) throw new ArgumentException("--slow-read-bytes-per-second must be at least 64.");
        if (OffenderParts < 1 || OffenderPods < OffenderParts) throw new ArgumentException("--offender-pods must be at least --offender-parts, which must be at least 1.");
        if (SharedNamespaces < 2 * InsertGroup || SharedNamespaces % InsertGroup != 0)
        {
            throw new ArgumentException($"--shared-namespaces must be a multiple of {InsertGroup}, at least {2 * InsertGroup}.");
        }
    }
}

/// <summary>
/// The "Hostile load" part of the benchmark (docs/benchmarks.md), run after the backfill. With the
/// live pushes of every node going on and /livez polled: a quiet period, then slow clients holding
/// the whole unpaged pod list open, then one node pushing more series than its quota. Then, alone,
/// one pod name inserted into many namespaces against a control of distinct names. Push latency
/// is each node's own push (its 30 pods), timed as in the other phases.
/// </summary>
internal sealed class HostileLoad(HostileOptions options, Cluster cluster, FacadeProcess facade, HttpClient http, Pusher pusher, Uri baseAddress, int seed)
{
    private const int TickSeconds = 5;
    private const string SharedPodName = "shared-pod";
    private long _lastTickMs;

    public async Task RunAsync(long idleStoreRss, long lastTickMs)
    {
        _lastTickMs = lastTickMs;
        Console.WriteLine($"hostile: idle store RSS {Mib(idleStoreRss)} (after the backfill); phases of {options.PhaseSeconds} s with the live pushes of {cluster.NodeCount} nodes and /livez polled every 100 ms");
        // Warm-up of /livez (JIT), not counted; the pushes are warm from the backfill.
        using (var warm = new CancellationTokenSource(TimeSpan.FromSeconds(2))) await PollLivezAsync(Stopwatch.StartNew(), warm.Token);
        var quiet = await LivePhaseAsync("quiet", hostile: null);
        quiet.Print(idleStoreRss, null);
        await SlowReadersAsync(quiet, idleStoreRss);
        await OverQuotaAsync(quiet, idleStoreRss);
        await SharedPodNameAsync();
    }

    /// <summary>
    /// One phase: the paced live pushes of every node, with /livez polled and the facade's RSS
    /// sampled all along, and <paramref name="hostile"/> started at the same time.
    /// </summary>
    private async Task<LivePhase> LivePhaseAsync(string name, Func<CancellationToken, Task>? hostile, Func<DateTimeOffset, Task>? alongEachTick = null)
    {
        var count = options.PhaseSeconds / TickSeconds;
        var first = Math.Max(_lastTickMs + TickSeconds * 1000L, (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 5000 + 1) * 5000);
        _lastTickMs = first + (count - 1) * TickSeconds * 1000L;
        // An upper bound on everything below, should a tick or a reader hang.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.PhaseSeconds * 3 + 120));
        var clock = Stopwatch.StartNew();
        var livez = PollLivezAsync(clock, stop.Token);
        var process = SampleProcessAsync(stop.Token);
        try
        {
            var hostileRun = hostile?.Invoke(stop.Token) ?? Task.CompletedTask;
            var pushes = await pusher.RunAsync(facade, Enumerable.Range(0, count).Select(k => first + k * TickSeconds * 1000L), paced: true, alongEachTick);
            await hostileRun;
            await stop.CancelAsync();
            var (rssMax, threadsMax) = await process;
            return new LivePhase(name, pushes, await livez, rssMax, threadsMax);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(livez, process).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <param name="phaseClock">Started with the phase: each poll is noted with its time in the phase.</param>
    private async Task<LivezStats> PollLivezAsync(Stopwatch phaseClock, CancellationToken stop)
    {
        // Its own connection, as a kubelet probe has.
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var stats = new LivezStats();
        var maxPolls = (options.PhaseSeconds * 3 + 120) * 10;
        for (var i = 0; i < maxPolls && !stop.IsCancellationRequested; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var at = phaseClock.Elapsed;
            try
            {
                using var response = await client.GetAsync(new Uri("/livez", UriKind.Relative), stop);
                await response.Content.ReadAsByteArrayAsync(stop);
                stats.Add(at, Stopwatch.GetElapsedTime(started).TotalMilliseconds, response.IsSuccessStatusCode);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                stats.Add(at, Stopwatch.GetElapsedTime(started).TotalMilliseconds, ok: false);
            }
            try
            {
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return stats;
    }

    /// <summary>The facade's largest RSS and thread count, sampled every 250 ms until <paramref name="stop"/>.</summary>
    private async Task<(long RssMax, int ThreadsMax)> SampleProcessAsync(CancellationToken stop)
    {
        var (rss, threads) = (facade.ResidentBytes(), facade.ThreadCount());
        var maxSamples = (options.PhaseSeconds * 3 + 120) * 4;
        for (var i = 0; i < maxSamples && !stop.IsCancellationRequested; i++)
        {
            rss = Math.Max(rss, facade.ResidentBytes());
            threads = Math.Max(threads, facade.ThreadCount());
            try
            {
                await Task.Delay(250, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return (Math.Max(rss, facade.ResidentBytes()), Math.Max(threads, facade.ThreadCount()));
    }

    /// <summary>Part 1: slow clients each asking for the whole unpaged pod list at once and reading it for the phase's length.</summary>
    private async Task SlowReadersAsync(LivePhase quiet, long idleStoreRss)
    {
        var rejectedBefore = await MetricAsync("kubemonitor_facade_reads_rejected_total");
        var reads = Array.Empty<SlowRead>();
        var hold = TimeSpan.FromSeconds(options.PhaseSeconds);
        var endpoint = new IPEndPoint(IPAddress.Loopback, baseAddress.Port);
        (double? Milliseconds, int Refusals) freeing = (null, 0);
        var closedAt = TimeSpan.Zero;
        var phase = await LivePhaseAsync("slow readers", async stop =>
        {
            var phaseClock = Stopwatch.StartNew();
            reads = await Task.WhenAll(Enumerable.Range(0, options.SlowReaders)
                .Select(_ => SlowReader.ReadAsync(endpoint, "/api/pods", options.SlowReadBytesPerSecond, hold, stop)));
            closedAt = phaseClock.Elapsed;
            // The readers have just closed their sockets: their permits must come back.
            freeing = await HeavyReadServedAsync(TimeSpan.FromSeconds(10));
        });
        var (freed, checkRefusals) = freeing;
        var rejected = await MetricAsync("kubemonitor_facade_reads_rejected_total") - rejectedBefore;

        var statuses = string.Join(", ", reads.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "no answer" : g.Key)} x{g.Count()}"));
        var streaming = reads.Where(r => r.Status == 200).ToList();
        var refused = reads.Where(r => r.Status == 429).ToList();
        Console.WriteLine($"slow readers: {reads.Length} clients asked GET /api/pods ({cluster.PodCount} pods) at once, each reading about {options.SlowReadBytesPerSecond} B/s for {hold.TotalSeconds:F0} s: {statuses}");
        if (streaming.Count > 0)
        {
            Console.WriteLine($"  the 200s read {streaming.Min(r => r.Bytes) / 1024.0:F0} to {streaming.Max(r => r.Bytes) / 1024.0:F0} KiB each ({streaming.Count(r => r.Ended)} reached the end of the list), first bytes after {streaming.Max(r => r.FirstByte.TotalMilliseconds):F0} ms at most");
        }
        if (refused.Count > 0)
        {
            Console.WriteLine($"  the 429s came after {refused.Max(r => r.FirstByte.TotalMilliseconds):F0} ms at most, Retry-After {string.Join('/', refused.Select(r => r.RetryAfter ?? "none").Distinct())}");
        }
        Console.WriteLine(
            $"  the readers closed {closedAt.TotalSeconds:F1} s into the phase; after that a heavy read (GET /api/pods?limit=1, retried every 50 ms) was {(freed is { } ms ? $"served after {ms:F0} ms" : "NOT served within 10 s")} and refused {checkRefusals} times before; " +
            $"the facade's kubemonitor_facade_reads_rejected_total rose by {rejected:F0} (the readers' and these)");
        quiet.Print(idleStoreRss, null);
        phase.Print(idleStoreRss, quiet);
        await AbortCostAsync(streaming.Count, endpoint);
    }

    /// <summary>
    /// What the facade does when streaming readers give up, with nothing else running: the CPU of
    /// one whole list read at full speed, then <paramref name="readers"/> slow readers that read a
    /// few seconds and close, and the facade's CPU and /livez in the seconds after they closed.
    /// An aborted answer that costs about a whole list was written to the end for nobody.
    /// </summary>
    private async Task AbortCostAsync(int readers, IPEndPoint endpoint)
    {
        if (readers == 0) return;
        // What the facade spends doing nothing (its sweep, timers), for comparison.
        var idleFrom = facade.ThreadCpuTime();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var idleCpu = facade.ThreadCpuTime() - idleFrom;
        var before = facade.ThreadCpuTime();
        var started = Stopwatch.GetTimestamp();
        using (var whole = await http.GetAsync(new Uri("/api/pods", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead))
        {
            await whole.Content.CopyToAsync(Stream.Null);
        }
        var wholeMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var wholeCpu = facade.ThreadCpuTime() - before;

        var hold = TimeSpan.FromSeconds(3);
        var reads = await Task.WhenAll(Enumerable.Range(0, readers)
            .Select(_ => SlowReader.ReadAsync(endpoint, "/api/pods", options.SlowReadBytesPerSecond, hold, CancellationToken.None)));
        var afterClose = facade.ThreadCpuTime();
        var (served, _) = await HeavyReadServedAsync(TimeSpan.FromSeconds(10));
        using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var livez = await PollLivezAsync(Stopwatch.StartNew(), quiet.Token);
        var closedCpu = facade.ThreadCpuTime() - afterClose;
        var closedWindow = TimeSpan.FromMilliseconds(served ?? 10_000) + TimeSpan.FromSeconds(3);
        var aboveIdle = closedCpu - idleCpu * (closedWindow / TimeSpan.FromSeconds(3));
        Console.WriteLine(
            $"  abort cost, nothing else running: one whole GET /api/pods at full speed took {wholeMs:F0} ms and {wholeCpu.TotalMilliseconds:F0} ms of facade CPU; " +
            $"{reads.Count(r => r.Status == 200)} slow readers read {hold.TotalSeconds:F0} s and closed: the next heavy read was served after {served?.ToString("F0", CultureInfo.InvariantCulture) ?? "MORE THAN 10000"} ms, " +
            $"facade CPU over the following {closedWindow.TotalSeconds:F1} s {closedCpu.TotalMilliseconds:F0} ms, {aboveIdle.TotalMilliseconds:F0} ms above idle ({idleCpu.TotalMilliseconds:F0} ms in 3 s) = {aboveIdle / wholeCpu:F1} whole lists; " +
            $"/livez after it {HostileLoad.Latencies(livez.SortedLatencies())}");
    }

    /// <summary>Milliseconds until GET /api/pods?limit=1 answers 200 (null if not within <paramref name="limit"/>), and how many 429s came before.</summary>
    private async Task<(double? Milliseconds, int Refusals)> HeavyReadServedAsync(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var refusals = 0;
        while (clock.Elapsed < limit)
        {
            using var response = await http.GetAsync(new Uri("/api/pods?limit=1", UriKind.Relative));
            await response.Content.ReadAsByteArrayAsync();
            if (response.IsSuccessStatusCode) return (clock.Elapsed.TotalMilliseconds, refusals);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) refusals++;
            await Task.Delay(50);
        }
        return (null, refusals);
    }

    /// <summary>Part 2: one more node that pushes more pods than its series quota, in parts, beside the live pushes.</summary>
    private async Task OverQuotaAsync(LivePhase quiet, long idleStoreRss)
    {
        var offender = new Cluster(1, options.OffenderPods, seed + 1, nodePrefix: "offender", namespacePrefix: "offender-");
        // Its own connection, as another exporter's.
        using var offenderHttp = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var answers = new ConcurrentDictionary<(int Part, int Status), int>();
        string? firstRefusal = null, retryAfter = null;
        long previousMs = 0;
        var phase = await LivePhaseAsync("node over quota", hostile: null, alongEachTick: async timestamp =>
        {
            var seconds = previousMs == 0 ? TickSeconds : (timestamp.ToUnixTimeMilliseconds() - previousMs) / 1000.0;
            previousMs = timestamp.ToUnixTimeMilliseconds();
            for (var part = 0; part < options.OffenderParts; part++)
            {
                var buffer = new ArrayBufferWriter<byte>(256 * 1024);
                offender.WriteBatchPart(0, part, options.OffenderParts, timestamp, seconds, buffer);
                using var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await offenderHttp.PostAsync(new Uri($"/api/nodes/{offender.NodeName(0)}/batch", UriKind.Relative), content);
                var body = await response.Content.ReadAsStringAsync();
                answers.AddOrUpdate((part, (int)response.StatusCode), 1, (_, n) => n + 1);
                if (response.StatusCode == HttpStatusCode.TooManyRequests && firstRefusal is null)
                {
                    using var problem = JsonDocument.Parse(body);
                    firstRefusal = problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : body;
                    retryAfter = response.Headers.RetryAfter?.ToString();
                }
            }
        });

        var podsPerPart = string.Join('/', Enumerable.Range(0, options.OffenderParts).Select(p => (p + 1) * options.OffenderPods / options.OffenderParts - p * options.OffenderPods / options.OffenderParts).Distinct());
        Console.WriteLine($"node over quota: {offender.NodeName(0)} pushed {options.OffenderPods} pods per tick in {options.OffenderParts} parts of {podsPerPart} pods (1 in 3 with a sidecar), one after another, beside the {cluster.NodeCount} nodes:");
        foreach (var part in Enumerable.Range(0, options.OffenderParts))
        {
            var got = answers.Where(a => a.Key.Part == part).OrderBy(a => a.Key.Status).Select(a => $"{a.Key.Status} x{a.Value}");
            Console.WriteLine($"  part {part + 1}: {string.Join(", ", got)}");
        }
        Console.WriteLine($"  first refusal: {firstRefusal ?? "none"} (Retry-After {retryAfter ?? "none"})");
        quiet.Print(idleStoreRss, null);
        phase.Print(idleStoreRss, quiet);
    }

    /// <summary>
    /// Part 3: insert cost when one pod name is shared by many namespaces, against a control of
    /// distinct names. The two alternate push by push, so that both meet the same machine: on a
    /// shared machine the time of one push varies far more than an O(n) step would add.
    /// </summary>
    private async Task SharedPodNameAsync()
    {
        var count = options.SharedNamespaces;
        const int Group = HostileOptions.InsertGroup;
        Console.WriteLine(
            $"pod inserts: 2 x {count} new pods, each in a new namespace, {HostileOptions.InsertsPerPush} per push, one push at a time, " +
            $"one name and distinct names (control) alternating push by push, nothing else running; per insert = push / {HostileOptions.InsertsPerPush}");
        // Warm-up of both paths (JIT tiers, the name index's first dictionary), not counted.
        await InsertAsync(
            HostileOptions.InsertGroup, HostileOptions.InsertGroup / 2,
            new InsertSeries("warm-up", "warmup", i => ($"warmup-{i:D5}", $"warmup-pod-{i:D5}")),
            new InsertSeries("warm-up", "warmup-shared", i => ($"warmup-shared-{i:D5}", "warmup-pod")));
        var runs = await InsertAsync(
            count, Group,
            new InsertSeries("distinct names (control)", "distinct", i => ($"distinct-{i:D5}", $"distinct-pod-{i:D5}")),
            new InsertSeries($"one name '{SharedPodName}'", "shared", i => ($"shared-{i:D5}", SharedPodName)));
        var (distinct, shared) = (runs[0], runs[1]);
        distinct.Print();
        shared.Print();
        Console.WriteLine(
            $"  last / first {Group}: facade CPU per insert: distinct names {distinct.Last.CpuUs / distinct.First.CpuUs:F2}, one name {shared.Last.CpuUs / shared.First.CpuUs:F2}; " +
            $"fastest push: distinct names {distinct.Last.FastestUs / distinct.First.FastestUs:F2}, one name {shared.Last.FastestUs / shared.First.FastestUs:F2}; " +
            $"median push: distinct names {distinct.Last.MedianUs / distinct.First.MedianUs:F2}, one name {shared.Last.MedianUs / shared.First.MedianUs:F2}");

        // The inserts were stored: the name is ambiguous across every namespace.
        var started = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(new Uri($"/api/pods/{SharedPodName}", UriKind.Relative));
        var body = await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        using var json = JsonDocument.Parse(body);
        var namespaces = json.RootElement.TryGetProperty("namespaces", out var list) && list.ValueKind == JsonValueKind.Array ? list.GetArrayLength() : 0;
        Console.WriteLine($"  GET /api/pods/{SharedPodName}: {(int)response.StatusCode} listing {namespaces} namespaces ({body.Length} B) in {elapsed:F1} ms");
    }

    /// <summary>New pods to insert: <c>Pod(i)</c> is the i-th (namespace, name); they go to nodes <c>{NodePrefix}-node-000</c> and on, 500 to a node.</summary>
    private sealed record InsertSeries(string What, string NodePrefix, Func<int, (string Namespace, string Name)> Pod);

    /// <summary>
    /// Inserts <paramref name="count"/> pods of each series, a push of each in turn, and measures
    /// each group of <paramref name="group"/> inserts (a multiple of the pods per push that divides
    /// <paramref name="count"/>): client time per push and the facade's CPU time over each push.
    /// </summary>
    private async Task<InsertRun[]> InsertAsync(int count, int group, params InsertSeries[] series)
    {
        const int PodsPerNode = 500; // 2 series each (pod, container): 1,000 of a node's 2,001
        var pushes = count / HostileOptions.InsertsPerPush;
        var groupPushes = group / HostileOptions.InsertsPerPush;
        var pushMs = series.Select(_ => new double[pushes]).ToArray();
        var cpu = series.Select(_ => new TimeSpan[pushes]).ToArray();
        var failures = new int[series.Length];
        var firstFailures = new string?[series.Length];
        var timestamp = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        for (var p = 0; p < pushes; p++)
        {
            for (var s = 0; s < series.Length; s++)
            {
                var buffer = new ArrayBufferWriter<byte>(32 * 1024);
                WriteInsertBatch(buffer, timestamp, Enumerable.Range(p * HostileOptions.InsertsPerPush, HostileOptions.InsertsPerPush).Select(series[s].Pod));
                var node = string.Create(CultureInfo.InvariantCulture, $"{series[s].NodePrefix}-node-{p * HostileOptions.InsertsPerPush / PodsPerNode:D3}");
                using var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var cpuBefore = facade.ThreadCpuTime();
                var started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync(new Uri($"/api/nodes/{node}/batch", UriKind.Relative), content);
                var body = await response.Content.ReadAsStringAsync();
                pushMs[s][p] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                cpu[s][p] = facade.ThreadCpuTime() - cpuBefore;
                if (!response.IsSuccessStatusCode || StoredOf(body) != HostileOptions.InsertsPerPush)
                {
                    failures[s]++;
                    firstFailures[s] ??= $"{(int)response.StatusCode} {body}";
                }
            }
        }
        return [.. series.Select((one, s) => new InsertRun(
            one.What, count, group, failures[s], firstFailures[s],
            [.. Enumerable.Range(0, count / group).Select(g => InsertGroup.Of(
                pushMs[s][(g * groupPushes)..((g + 1) * groupPushes)], cpu[s][(g * groupPushes)..((g + 1) * groupPushes)], group))]))];
    }

    private static int StoredOf(string pushAnswer)
    {
        using var json = JsonDocument.Parse(pushAnswer);
        return json.RootElement.GetProperty("stored").GetInt32();
    }

    /// <summary>A batch of new pods with one container each, the least a pod sample carries.</summary>
    private static void WriteInsertBatch(IBufferWriter<byte> output, DateTimeOffset timestamp, IEnumerable<(string Namespace, string Name)> pods)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("timestamp", timestamp);
        json.WriteStartArray("pods");
        foreach (var (ns, name) in pods)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("namespace", ns);
            json.WriteString("uid", Guid.NewGuid().ToString());
            json.WriteStartObject("cpu");
            json.WriteNumber("usageSecondsTotal", 12.5);
            json.WriteEndObject();
            json.WriteStartObject("memory");
            json.WriteNumber("usageBytes", 120_000_000);
            json.WriteNumber("workingSetBytes", 100_000_000);
            json.WriteEndObject();
            json.WriteStartArray("containers");
            json.WriteStartObject();
            json.WriteString("name", "app");
            json.WriteStartObject("cpu");
            json.WriteNumber("usageSecondsTotal", 12.1);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private async Task<double> MetricAsync(string name) =>
        Report.MetricValue(await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), name);

    internal static string Mib(long bytes) => $"{bytes / 1048576.0:F0} MiB";

    internal static string Latencies(double[] sorted) => sorted.Length == 0
        ? "n=0"
        : $"n={sorted.Length} p50 {Report.Percentile(sorted, 0.50):F2} ms, p99 {Report.Percentile(sorted, 0.99):F2} ms, max {sorted[^1]:F2} ms";
}

/// <summary>What the live pushes, /livez and the facade's memory did during one phase.</summary>
internal sealed record LivePhase(string Name, PushStats Pushes, LivezStats Livez, long RssMax, int ThreadsMax)
{
    public void Print(long idleStoreRss, LivePhase? quiet)
    {
        var pushes = Pushes.SortedLatencies();
        var livez = Livez.SortedLatencies();
        Console.WriteLine(
            $"  {Name,-16} pushes {HostileLoad.Latencies(pushes)}, {Pushes.Rejected} rejected, {Pushes.Stored / Math.Max(1, Pushes.Ticks)} samples stored per tick " +
            $"({Pushes.Dropped} dropped, {Pushes.LateTicks} late ticks); /livez {HostileLoad.Latencies(livez)}, {Livez.Failures} failed; " +
            $"RSS max {HostileLoad.Mib(RssMax)} ({(RssMax - idleStoreRss) * 100.0 / idleStoreRss:+0.0;-0.0} % of the idle store" +
            (quiet is null ? "" : $", {(RssMax - quiet.RssMax) * 100.0 / quiet.RssMax:+0.0;-0.0} % of quiet's") + $"), threads max {ThreadsMax}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Console.WriteLine($"    slowest /livez: {string.Join(", ", Livez.Slowest(3).Select(s => $"{s.LatencyMs:F0} ms at {s.At.TotalSeconds:F1} s"))} into the phase");
        if (Pushes.FirstError is { } error) Console.WriteLine($"    first rejected push: {error}");
        if (quiet is null || pushes.Length == 0 || livez.Length == 0) return;
        var quietPushes = quiet.Pushes.SortedLatencies();
        var quietLivez = quiet.Livez.SortedLatencies();
        Console.WriteLine(
            $"    vs quiet: push p50 x{Report.Percentile(pushes, 0.5) / Report.Percentile(quietPushes, 0.5):F2}, p99 x{Report.Percentile(pushes, 0.99) / Report.Percentile(quietPushes, 0.99):F2}; " +
            $"/livez p50 x{Report.Percentile(livez, 0.5) / Report.Percentile(quietLivez, 0.5):F2}, p99 x{Report.Percentile(livez, 0.99) / Report.Percentile(quietLivez, 0.99):F2}");
    }
}

internal sealed class LivezStats
{
    private readonly List<(TimeSpan At, double LatencyMs)> _polls = [];

    public int Failures { get; private set; }

    public void Add(TimeSpan at, double latencyMs, bool ok)
    {
        _polls.Add((at, latencyMs));
        if (!ok) Failures++;
    }

    public double[] SortedLatencies() => [.. _polls.Select(p => p.LatencyMs).Order()];

    /// <summary>The slowest polls and when in the phase they were sent: does a stall line up with an event?</summary>
    public IEnumerable<(TimeSpan At, double LatencyMs)> Slowest(int count) => _polls.OrderByDescending(p => p.LatencyMs).Take(count);
}

/// <summary>
/// A group of pod inserts, per insert: the facade's CPU time over its pushes, and the client's time
/// (mean, median push, fastest push: the one least disturbed by the rest of the machine).
/// </summary>
internal sealed record InsertGroup(double CpuUs, double MeanUs, double MedianUs, double FastestUs, double P99PushMs)
{
    public static InsertGroup Of(double[] pushMs, TimeSpan[] facadeCpu, int inserts)
    {
        var sorted = pushMs.Order().ToArray();
        var perPush = inserts / (double)pushMs.Length;
        return new InsertGroup(
            facadeCpu.Sum(c => c.TotalMicroseconds) / inserts, pushMs.Sum() * 1000 / inserts,
            Report.Percentile(sorted, 0.5) * 1000 / perPush, sorted[0] * 1000 / perPush, Report.Percentile(sorted, 0.99));
    }

    public override string ToString() =>
        $"facade CPU {CpuUs:F1} us per insert; client {MeanUs:F1} us per insert (mean), {MedianUs:F1} (median push), {FastestUs:F1} (fastest push); push p99 {P99PushMs:F2} ms";
}

/// <param name="Groups">Successive groups of <paramref name="GroupSize"/> inserts, in order.</param>
internal sealed record InsertRun(string What, int Count, int GroupSize, int Failures, string? FirstFailure, InsertGroup[] Groups)
{
    public InsertGroup First => Groups[0];

    public InsertGroup Last => Groups[^1];

    public void Print()
    {
        Console.WriteLine($"  {What}: {Count} inserts{(Failures > 0 ? $", {Failures} pushes FAILED (first: {FirstFailure})" : ", all stored")}");
        Console.WriteLine($"    first {GroupSize}: {First}");
        Console.WriteLine($"    last {GroupSize}:  {Last}");
        Console.WriteLine($"    each {GroupSize} in order, facade CPU us per insert: {string.Join(' ', Groups.Select(g => g.CpuUs.ToString("F1", CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"    each {GroupSize} in order, client us per insert (median push): {string.Join(' ', Groups.Select(g => g.MedianUs.ToString("F1", CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"    each {GroupSize} in order, client us per insert (fastest push): {string.Join(' ', Groups.Select(g => g.FastestUs.ToString("F1", CultureInfo.InvariantCulture)))}");
    }
}

/// <summary>The result of one slow reader: the answer's status, how much it read, and whether the answer ended.</summary>
internal sealed record SlowRead(int Status, string? RetryAfter, long Bytes, bool Ended, TimeSpan FirstByte);

/// <summary>
/// A client on a slow link: a raw socket with a small receive buffer (so the window it offers
/// stays small and the server's writes block) that reads at a fixed average rate, holds the
/// answer open for a fixed time and then closes, unread bytes and all.
/// </summary>
internal static class SlowReader
{
    private const int ReceiveBufferBytes = 4096;
    private const int ReadsPerSecond = 4;

    public static async Task<SlowRead> ReadAsync(IPEndPoint endpoint, string path, int bytesPerSecond, TimeSpan hold, CancellationToken stop)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        // Set before connecting: the window is agreed in the handshake.
        socket.ReceiveBufferSize = ReceiveBufferBytes;
        using var holdOver = CancellationTokenSource.CreateLinkedTokenSource(stop);
        holdOver.CancelAfter(hold);
        var clock = Stopwatch.StartNew();
        var head = new MemoryStream();
        long bytes = 0;
        var ended = false;
        var firstByte = TimeSpan.Zero;
        try
        {
            await socket.ConnectAsync(endpoint, holdOver.Token);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {endpoint}\r\nConnection: close\r\n\r\n"), SocketFlags.None, holdOver.Token);
            var chunk = new byte[Math.Max(1, bytesPerSecond / ReadsPerSecond)];
            // Each read takes at least a byte: this bounds the loop even if the rate were not kept.
            var maxReads = (long)(hold.TotalSeconds * bytesPerSecond) + 100;
            for (var i = 0L; i < maxReads; i++)
            {
                var read = await socket.ReceiveAsync(chunk, SocketFlags.None, holdOver.Token);
                if (read == 0)
                {
                    ended = true;
                    break;
                }
                if (bytes == 0) firstByte = clock.Elapsed;
                bytes += read;
                if (head.Length < 4096) head.Write(chunk, 0, read);
                // No faster than the rate on average since the start.
                var due = TimeSpan.FromSeconds((double)bytes / bytesPerSecond) - clock.Elapsed;
                if (due > TimeSpan.Zero) await Task.Delay(due, holdOver.Token);
            }
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            // The hold time is over.
        }
        catch (SocketException)
        {
            // The server closed first; what was read stands.
        }
        // Disposing the socket with unread bytes resets the connection, as a client that gives up.
        var (status, retryAfter) = ParseHead(Encoding.ASCII.GetString(head.GetBuffer(), 0, (int)head.Length));
        return new SlowRead(status, retryAfter, bytes, ended, firstByte);
    }

    /// <summary>The status code (0 if none came) and the Retry-After header of an HTTP/1.1 answer's head.</summary>
    private static (int Status, string? RetryAfter) ParseHead(string head)
    {
        var lines = head.Split("\r\n");
        var statusParts = lines[0].Split(' ');
        var status = statusParts.Length > 1 && int.TryParse(statusParts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : 0;
        var retryAfter = lines.TakeWhile(l => l.Length > 0).Skip(1)
            .FirstOrDefault(l => l.StartsWith("Retry-After:", StringComparison.OrdinalIgnoreCase))?["Retry-After:".Length..].Trim();
        return (status, retryAfter);
    }
}

using System.Diagnostics;

namespace KubeMonitor.FacadeLoad;

/// <summary>What N answers of one way cost, per answer: latency, the facade's and Prometheus's CPU, what Prometheus read and sent.</summary>
internal sealed record AnswerCost(
    string Question, string Way, int Count, double P50Ms, double P95Ms, double FacadeCpuMs, double PrometheusCpuMs,
    double Requests, double Samples, double EvalMs, double WireBytes, double JsonBytes, double ReplayedGzipBytes, double AnswerBytes, int Points, double MeanCpuCores)
{
    /// <summary>
    /// Asks <paramref name="count"/> answers one after another (after <paramref name="warmUp"/>
    /// not counted) and divides what the processes counted meanwhile by the answers.
    /// Prometheus's CPU is given above its idle rate (<paramref name="prometheusIdleCpuPerSecond"/>).
    /// </summary>
    public static async Task<AnswerCost> MeasureAsync(
        string question, AnswerWay way, int count, int warmUp, BenchPrometheus prometheus, double prometheusIdleCpuPerSecond)
    {
        for (var i = 0; i < warmUp; i++) await way.AskAsync(count + i);

        var logOffset = prometheus.QueryLogLength;
        var before = await prometheus.CountersAsync();
        var facadeBefore = way.Facade?.CpuTime() ?? TimeSpan.Zero;
        var wall = Stopwatch.StartNew();
        var timings = new double[count];
        long answerBytes = 0;
        IReadOnlyList<byte[]> last = [];
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            last = await way.AskAsync(i);
            timings[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            answerBytes += last.Sum(b => (long)b.Length);
        }
        var elapsed = wall.Elapsed.TotalSeconds;
        var facadeCpu = way.Facade is null ? double.NaN : (way.Facade.CpuTime() - facadeBefore).TotalMilliseconds / count;
        var after = await prometheus.CountersAsync();
        var logged = prometheus.QueriesSince(logOffset);
        Array.Sort(timings);

        // The JSON Prometheus wrote for the last answer, asked again without gzip (the wire bytes come from its own counter).
        var perAnswer = logged.Count / count;
        long json = 0, gzip = 0;
        foreach (var query in logged.Skip(logged.Count - perAnswer))
        {
            var (plain, compressed) = await prometheus.ReplayAsync(query);
            json += plain;
            gzip += compressed;
        }
        var (points, meanCpu) = way.Check(last);

        return new AnswerCost(
            question, way.Name, count, Report.Percentile(timings, 0.50), Report.Percentile(timings, 0.95), facadeCpu,
            ((after.CpuSeconds - before.CpuSeconds) - prometheusIdleCpuPerSecond * elapsed) * 1000 / count,
            (after.ApiRequests - before.ApiRequests) / count, logged.Sum(q => (double)q.Samples) / count, logged.Sum(q => q.EvalSeconds) * 1000 / count,
            (after.ApiResponseBytes - before.ApiResponseBytes) / count, json, gzip, answerBytes / (double)count, points, meanCpu);
    }

    /// <summary>
    /// Answers asked before the timed ones (JIT, tiering, caches): as many as are timed, at least 3,
    /// at most 60. .NET compiles a method again, optimized, after 30 calls; with a fifth of 100 the
    /// timed answers of a facade still ran its first, unoptimized code.
    /// </summary>
    public static int WarmUp(int count) => Math.Clamp(count, 3, 60);

    public const string TableHeader =
        "| question | way | n | p50 ms | p95 ms | facade CPU ms | Prometheus CPU ms | requests to Prometheus | samples Prometheus read | bytes from Prometheus, gzip (JSON) | answer bytes | points, mean CPU cores |\n" +
        "|---|---|---|---|---|---|---|---|---|---|---|---|";

    public string TableRow() =>
        $"| {Question} | {Way} | {Count} | {P50Ms:F1} | {P95Ms:F1} | {(double.IsNaN(FacadeCpuMs) ? "-" : FacadeCpuMs.ToString("F1", System.Globalization.CultureInfo.InvariantCulture))} | {PrometheusCpuMs:F1} | " +
        $"{Requests:F1} | {Samples:N0} | {Bytes(WireBytes)} ({Bytes(JsonBytes)}) | {Bytes(AnswerBytes)} | {Points}, {MeanCpuCores:F3} |";

    private static string Bytes(double bytes) => bytes switch
    {
        >= 1 << 20 => $"{bytes / (1 << 20):F1} MiB",
        >= 1 << 10 => $"{bytes / (1 << 10):F1} KiB",
        _ => $"{bytes:F0} B",
    };
}

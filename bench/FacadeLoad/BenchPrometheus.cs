using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using KubeMonitor.Facade.Tests.Prometheus;

namespace KubeMonitor.FacadeLoad;

/// <summary>
/// The real Prometheus of the sources benchmark (the facade tests' <see cref="PrometheusProcess"/>:
/// remote write on, killed and its folder deleted when this process ends however it ends), with
/// what it says about its own work: CPU (<c>process_cpu_seconds_total</c>), requests and the bytes
/// its handlers wrote (<c>prometheus_http_*</c>), and a query log line per query with the samples
/// it read (<c>query_log_file</c>).
/// </summary>
internal sealed class BenchPrometheus : IDisposable
{
    private readonly PrometheusProcess _process;
    private readonly string _queryLog;

    private BenchPrometheus(PrometheusProcess process, Uri url, string queryLog)
    {
        _process = process;
        _queryLog = queryLog;
        Url = url;
        // As the facade asks: gzip on the wire.
        Http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.GZip, MaxConnectionsPerServer = 16 })
        {
            BaseAddress = url,
            Timeout = TimeSpan.FromMinutes(2),
        };
        Writer = new RemoteWriter(Http, url);
    }

    /// <summary>The base URL, ending in <c>/</c>.</summary>
    public Uri Url { get; }

    public HttpClient Http { get; }

    public RemoteWriter Writer { get; }

    /// <param name="queryLog">Where Prometheus logs every query; the caller deletes it.</param>
    /// <param name="scrapeConfigs">The configuration's <c>global</c> additions and <c>scrape_configs</c> (YAML at column 0 after <c>global:</c>'s own lines); none: every sample comes by remote write.</param>
    public static async Task<BenchPrometheus> StartAsync(int port, string queryLog, string? scrapeConfigs = null)
    {
        var config = $"""
            global:
              query_log_file: {queryLog}
            {scrapeConfigs}
            """;
        var url = new Uri($"http://127.0.0.1:{port}/");
        var prometheus = new BenchPrometheus(PrometheusProcess.Start(config, port), url, queryLog);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (prometheus._process.HasExited) break;
            try
            {
                using var response = await prometheus.Http.GetAsync(new Uri(url, "-/ready"));
                if (response.StatusCode == HttpStatusCode.OK) return prometheus;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(200);
        }
        var output = prometheus._process.Output;
        prometheus.Dispose();
        throw new InvalidOperationException($"Prometheus did not get ready on {url}.\n{output}");
    }

    /// <summary>Its counters now.</summary>
    public async Task<PrometheusCounters> CountersAsync()
    {
        var text = await Http.GetStringAsync(new Uri(Url, "metrics"));
        return new PrometheusCounters(
            Sum(text, "process_cpu_seconds_total", null),
            Sum(text, "prometheus_http_requests_total", "/api/v1/query") + Sum(text, "prometheus_http_requests_total", "/api/v1/query_range"),
            Sum(text, "prometheus_http_response_size_bytes_sum", "/api/v1/query") + Sum(text, "prometheus_http_response_size_bytes_sum", "/api/v1/query_range"),
            Sum(text, "prometheus_tsdb_head_series", null),
            Sum(text, "prometheus_tsdb_head_samples_appended_total", null),
            Sum(text, "process_resident_memory_bytes", null));
    }

    /// <summary>Its CPU per second over 10 s with nothing asked of it (its head's upkeep, and its scrapes if any).</summary>
    public async Task<double> IdleCpuPerSecondAsync()
    {
        var before = await CountersAsync();
        var wall = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(10));
        var after = await CountersAsync();
        return (after.CpuSeconds - before.CpuSeconds) / wall.Elapsed.TotalSeconds;
    }

    /// <summary>The query log's length now: <see cref="QueriesSince"/> reads what comes after it.</summary>
    public long QueryLogLength => File.Exists(_queryLog) ? new FileInfo(_queryLog).Length : 0;

    /// <summary>The queries logged after <paramref name="offset"/>, in order.</summary>
    public List<LoggedQuery> QueriesSince(long offset)
    {
        var queries = new List<LoggedQuery>();
        using var file = new FileStream(_queryLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        file.Seek(offset, SeekOrigin.Begin);
        using var reader = new StreamReader(file);
        while (reader.ReadLine() is { } line)
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var parameters = root.GetProperty("params");
            var hasStats = root.TryGetProperty("stats", out var stats);
            var samples = hasStats && stats.TryGetProperty("samples", out var s) && s.TryGetProperty("totalQueryableSamples", out var total) ? total.GetInt64() : 0;
            var evalSeconds = hasStats && stats.TryGetProperty("timings", out var t) && t.TryGetProperty("evalTotalTime", out var eval) ? eval.GetDouble() : 0;
            queries.Add(new LoggedQuery(
                root.GetProperty("httpRequest").GetProperty("path").GetString()!,
                parameters.GetProperty("query").GetString()!,
                parameters.GetProperty("start").GetDateTimeOffset(),
                parameters.GetProperty("end").GetDateTimeOffset(),
                parameters.GetProperty("step").GetInt64(),
                samples,
                evalSeconds));
        }
        return queries;
    }

    /// <summary>
    /// Sends a logged query again and counts its answer's bytes: the JSON as the reader parses it,
    /// and on the wire with gzip (as the facade and this benchmark ask).
    /// </summary>
    public async Task<(long Json, long Gzip)> ReplayAsync(LoggedQuery query)
    {
        using var raw = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromMinutes(2) };
        async Task<long> SizeAsync(string encoding)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Url, query.Path.TrimStart('/'))) { Content = new FormUrlEncodedContent(query.Form()) };
            request.Headers.TryAddWithoutValidation("Accept-Encoding", encoding);
            using var response = await raw.SendAsync(request);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadAsByteArrayAsync()).LongLength;
        }
        return (await SizeAsync("identity"), await SizeAsync("gzip"));
    }

    /// <summary>The sum of a metric's series, those of one <c>handler</c> when given (0 when absent).</summary>
    private static double Sum(string text, string name, string? handler)
    {
        var sum = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || (line[name.Length] != ' ' && line[name.Length] != '{')) continue;
            if (handler is not null && !line.Contains($"handler=\"{handler}\"", StringComparison.Ordinal)) continue;
            sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }
        return sum;
    }

    public void Dispose()
    {
        Http.Dispose();
        _process.Stop();
    }
}

/// <summary>What Prometheus counted of its own work (API requests: <c>/api/v1/query</c> and <c>/api/v1/query_range</c>).</summary>
internal sealed record PrometheusCounters(double CpuSeconds, double ApiRequests, double ApiResponseBytes, double HeadSeries, double SamplesAppended, double ResidentBytes);

/// <summary>One line of Prometheus's query log: what was asked, how many samples it read and how long its evaluation took (wall clock).</summary>
internal sealed record LoggedQuery(string Path, string Query, DateTimeOffset Start, DateTimeOffset End, long StepSeconds, long Samples, double EvalSeconds)
{
    /// <summary>The form that asks it again.</summary>
    public IEnumerable<KeyValuePair<string, string>> Form()
    {
        static string Time(DateTimeOffset t) => (t.ToUnixTimeMilliseconds() / 1000m).ToString("0.000", CultureInfo.InvariantCulture);
        yield return new("query", Query);
        if (Path.EndsWith("query_range", StringComparison.Ordinal))
        {
            yield return new("start", Time(Start));
            yield return new("end", Time(End));
            yield return new("step", StepSeconds.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            yield return new("time", Time(End));
        }
    }
}

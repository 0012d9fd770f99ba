using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>
/// A real Prometheus 2.42 (the Debian package) on 127.0.0.1 that takes remote writes, shared by
/// the whole test assembly: started on first use of <see cref="SharedAsync"/>, killed and its
/// folder deleted when the test host ends (<see cref="PrometheusProcess"/>). Tests keep apart by
/// a label of their own (<see cref="ExporterSeries"/>), not by servers: a start costs seconds,
/// a label nothing.
/// </summary>
public sealed class PrometheusServer
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    // Another process can take the free port between our probe and Prometheus's bind.
    private const int StartAttempts = 3;
    // Started on the thread pool, not on the first caller's xunit context: a facade factory waits
    // for it synchronously, and on a context whose few threads all wait, the start would never go on.
    private static readonly Lazy<Task<PrometheusServer>> Shared = new(() => Task.Run(StartAsync));

    // Tests write at fixed past times (2026-11-26T07:00Z plus hours) in any order, and one may
    // write at the current time: the window must cover the whole spread, since Prometheus measures
    // it back from the newest sample it holds.
    private const string Config = """
        # No scrape configs: every sample comes by remote write from the tests.
        storage:
          tsdb:
            out_of_order_time_window: 3650d
        """;

    private readonly PrometheusProcess _process;

    private PrometheusServer(PrometheusProcess process, int port)
    {
        _process = process;
        Url = new Uri($"http://127.0.0.1:{port}/");
        Http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(10) };
        Writer = new RemoteWriter(Http, Url);
    }

    /// <summary>The one server of this test run, started on the first call; a failed start fails every caller with its reason.</summary>
    public static Task<PrometheusServer> SharedAsync() => Shared.Value;

    /// <summary>The base URL of its HTTP API, ending in <c>/</c>.</summary>
    public Uri Url { get; }

    public HttpClient Http { get; }

    public RemoteWriter Writer { get; }

    /// <summary>The last lines Prometheus logged, for failure messages.</summary>
    public string Output => _process.Output;

    public Task WriteAsync(IEnumerable<MetricSample> samples, CancellationToken cancellationToken = default) =>
        Writer.WriteAsync(samples, cancellationToken);

    /// <summary>
    /// <c>GET api/v1/query</c> at <paramref name="time"/> (millisecond precision); the <c>data</c>
    /// of a successful answer (<c>resultType</c>, <c>result</c>), else an exception with the answer.
    /// </summary>
    public async Task<JsonNode> QueryAsync(string query, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        var seconds = (time.ToUnixTimeMilliseconds() / 1000m).ToString(CultureInfo.InvariantCulture);
        var uri = new Uri(Url, $"api/v1/query?query={Uri.EscapeDataString(query)}&time={seconds}");
        using var response = await Http.GetAsync(uri, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var answer = response.IsSuccessStatusCode ? JsonNode.Parse(body) : null;
        if ((string?)answer?["status"] != "success")
        {
            throw new InvalidOperationException($"Prometheus answered {(int)response.StatusCode} to {query}: {body}");
        }
        return answer!["data"]!;
    }

    /// <summary>The raw samples of <paramref name="selector"/> in (<paramref name="at"/> - <paramref name="range"/>, <paramref name="at"/>] (a range selector, no functions).</summary>
    public async Task<IReadOnlyList<QueriedSeries>> SelectAsync(string selector, TimeSpan range, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        QueriedSeries.FromMatrix(await QueryAsync($"{selector}[{(long)range.TotalMilliseconds}ms]", at, cancellationToken));

    private static async Task<PrometheusServer> StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FacadeProcess.FreePort();
            var server = new PrometheusServer(PrometheusProcess.Start(Config, port), port);
            var failure = await server.WaitUntilReadyAsync();
            if (failure is null) return server;
            server.Http.Dispose();
            server._process.Stop();
            if (attempt == StartAttempts || !server.Output.Contains("address already in use", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{failure}\n{server.Output}");
            }
        }
    }

    /// <summary>Null once <c>/-/ready</c> answers 200; else why not (it exited, or the timeout passed).</summary>
    private async Task<string?> WaitUntilReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < ReadyTimeout)
        {
            if (_process.HasExited) return $"Prometheus exited with code {_process.ExitCode} before it was ready on {Url}.";
            // Short tries: whatever holds the port may accept and never answer, while Prometheus has exited.
            using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                using var response = await Http.GetAsync(new Uri(Url, "-/ready"), attempt.Token);
                if (response.StatusCode == HttpStatusCode.OK) return null;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (OperationCanceledException)
            {
                // no answer within the try: the deadline decides
            }
            await Task.Delay(100);
        }
        return $"Prometheus was not ready on {Url} within {ReadyTimeout.TotalSeconds} s.";
    }
}

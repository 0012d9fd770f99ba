using System.Diagnostics;
using System.Web;
using KubeMonitor.Facade.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>
/// The source against a WireMock backend: what it sends (path under the base URL, form body,
/// headers, bearer token) and how each way of failing becomes a SourceUnavailableException,
/// logged once, never later than the timeout.
/// </summary>
public sealed class BackendFailureTests : IDisposable
{
    private const string QueryPath = "/prom/api/v1/query";
    private const string NodeAnswer = """
        {"status":"success","data":{"resultType":"matrix","result":[
          {"metric":{"__name__":"kubemonitor_node_cpu_usage_seconds_total","node":"node-1"},"values":[[1795676400,"10"],[1795676405,"12"]]}]}}
        """;
    private static readonly long NowMs = 1795676410_000;

    private readonly WireMockServer _backend = WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"] });
    private readonly string _folder = Directory.CreateTempSubdirectory("km-promsource-").FullName;

    public void Dispose()
    {
        _backend.Stop();
        _backend.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Queries_are_posted_under_the_base_path_with_the_configured_headers_and_the_current_token()
    {
        var tokenFile = Path.Combine(_folder, "token");
        File.WriteAllText(tokenFile, "first-token\n");
        Answer(Response.Create().WithStatusCode(200).WithBody(NodeAnswer));
        using var host = Host(("Headers:X-Scope-OrgID", "tenant-1"), ("BearerTokenFile", tokenFile), ("Selector", "cluster=\"prod-1\""));

        var nodes = await host.Source.NodesAsync(NowMs, LatestRows.PreviousRow, CancellationToken.None);
        // A rotated Secret: the file is replaced, the next request carries the new token.
        File.WriteAllText(tokenFile, "second-token");
        File.SetLastWriteTimeUtc(tokenFile, DateTime.UtcNow.AddSeconds(5));
        await host.Source.NodesAsync(NowMs, LatestRows.PreviousRow, CancellationToken.None);

        Assert.Equal("node-1", Assert.Single(nodes).Name);
        var requests = _backend.LogEntries.Select(e => e.RequestMessage).ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal(("POST", QueryPath), (r.Method, r.Path)));
        Assert.All(requests, r => Assert.Equal("tenant-1", r.Headers!["X-Scope-OrgID"].Single()));
        Assert.Equal(["Bearer first-token", "Bearer second-token"], requests.Select(r => r.Headers!["Authorization"].Single()));
        var form = HttpUtility.ParseQueryString(requests[0].Body!);
        Assert.Equal("1795676410.000", form["time"]);
        // Raw samples through a range selector, never rate(); the configured matchers on it.
        Assert.StartsWith("{__name__=~\"kubemonitor_node_cpu_usage_seconds_total|", form["query"]);
        Assert.EndsWith(",cluster=\"prod-1\"}[300000ms]", form["query"]);
        Assert.DoesNotContain("rate(", form["query"]);
    }

    [Fact]
    public async Task A_500_is_tried_again_then_unavailable_naming_the_backend_and_logged_once()
    {
        Answer(Response.Create().WithStatusCode(500).WithBody("""{"status":"error","errorType":"internal","error":"disk on fire"}"""));
        using var host = Host();

        var failure = await Assert.ThrowsAsync<SourceUnavailableException>(() => host.Source.NodesAsync(NowMs, LatestRows.PreviousRow, CancellationToken.None));

        Assert.Equal($"Prometheus at {_backend.Url}/prom answered 500 Internal Server Error (internal): disk on fire.", failure.Message);
        Assert.Equal(TimeSpan.FromSeconds(5), failure.RetryAfter);
        Assert.Equal(3, _backend.LogEntries.ToList().Count);
        Assert.Equal([(LogLevel.Warning, failure.Message)], host.Log.Of("KubeMonitor"));
    }

    [Fact]
    public async Task A_503_with_Retry_After_is_passed_on_without_waiting_for_it()
    {
        Answer(Response.Create().WithStatusCode(503).WithHeader("Retry-After", "17").WithBody("overloaded"));
        using var host = Host();

        var failure = await Assert.ThrowsAsync<SourceUnavailableException>(() => host.Source.PodsAsync(new PodSelector(), NowMs, LatestRows.PreviousRow, CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(17), failure.RetryAfter);
        Assert.Contains("answered 503 Service Unavailable", failure.Message);
        Assert.Single(_backend.LogEntries);
    }

    [Fact]
    public async Task A_backend_that_hangs_is_unavailable_at_the_timeout_not_later()
    {
        // (Short delays: disposing WireMock waits for the answers it still holds.)
        Answer(Response.Create().WithStatusCode(200).WithBody(NodeAnswer).WithDelay(TimeSpan.FromSeconds(4)));
        using var host = Host(("Timeout", "00:00:01"));
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<SourceUnavailableException>(() => host.Source.NodeRowsAsync("node-1", NowMs - 60_000, NowMs, CancellationToken.None));

        // At the deadline, not at the answer 4 s later (with room for a busy machine).
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(3.5));
        Assert.Equal($"Prometheus at {_backend.Url}/prom did not answer within 1 s.", failure.Message);
    }

    [Fact]
    public async Task A_readiness_check_says_why_the_backend_is_not_ready_within_a_short_time()
    {
        Answer(Response.Create().WithStatusCode(200).WithBody(NodeAnswer).WithDelay(TimeSpan.FromSeconds(7)));
        using var host = Host();
        var clock = Stopwatch.StartNew();

        var reason = await host.Source.NotReadyAsync(CancellationToken.None);

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(8));
        Assert.Equal($"Prometheus at {_backend.Url}/prom did not answer within 5 s.", reason);
    }

    [Fact]
    public async Task A_readiness_check_of_a_backend_that_answers_is_null()
    {
        Answer(Response.Create().WithStatusCode(200).WithBody("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1795676400,"1"]}]}}"""));
        using var host = Host();

        Assert.Null(await host.Source.NotReadyAsync(CancellationToken.None));
        Assert.Contains("query=vector%281%29", _backend.LogEntries.Single().RequestMessage.Body);
    }

    [Theory]
    [InlineData(200, """{"status":"error","errorType":"timeout","error":"query timed out"}""", "answered status error (timeout): query timed out.", LogLevel.Warning)]
    [InlineData(200, "<html>not json</html>", "answered JSON that is not a query answer:", LogLevel.Warning)]
    [InlineData(200, """{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"]""", "answered JSON that is not a query answer:", LogLevel.Warning)]
    [InlineData(400, """{"status":"error","errorType":"bad_data","error":"1:2: parse error"}""", "answered 400 Bad Request (bad_data): 1:2: parse error.", LogLevel.Error)]
    [InlineData(422, """{"status":"error","errorType":"execution","error":"too many samples"}""", "answered 422 Unprocessable Entity (execution): too many samples.", LogLevel.Error)]
    public async Task Error_answers_and_garbage_are_unavailable_and_a_refused_query_is_logged_as_an_error(int status, string body, string expected, LogLevel level)
    {
        Answer(Response.Create().WithStatusCode(status).WithBody(body));
        using var host = Host();

        var failure = await Assert.ThrowsAsync<SourceUnavailableException>(() => host.Source.NodeAsync("node-1", NowMs, LatestRows.PreviousRow, CancellationToken.None));

        Assert.StartsWith($"Prometheus at {_backend.Url}/prom ", failure.Message);
        Assert.Contains(expected, failure.Message);
        Assert.Single(_backend.LogEntries);
        Assert.Equal(level, Assert.Single(host.Log.Of("KubeMonitor")).Level);
    }

    [Fact]
    public async Task A_backend_that_is_down_is_unavailable_and_the_token_is_never_shown()
    {
        var port = FacadeProcess.FreePort();
        var tokenFile = Path.Combine(_folder, "token");
        File.WriteAllText(tokenFile, "s3cret");
        using var host = new SourceHost(new Dictionary<string, string?>
        {
            ["Facade:Prometheus:Url"] = $"http://127.0.0.1:{port}/prom/",
            ["Facade:Prometheus:BearerTokenFile"] = tokenFile,
        });

        var failure = await Assert.ThrowsAsync<SourceUnavailableException>(() => host.Source.NodesAsync(NowMs, LatestRows.PreviousRow, CancellationToken.None));

        Assert.StartsWith($"Prometheus at http://127.0.0.1:{port}/prom cannot be reached: ", failure.Message);
        Assert.DoesNotContain("s3cret", string.Join("\n", host.Log.Lines.Select(l => l.Message)) + failure.Message);
    }

    [Fact]
    public async Task A_backend_that_is_down_is_tried_again_on_the_real_clock_whatever_the_facades_clock()
    {
        var port = FacadeProcess.FreePort();
        // The facade's clock stands still (as in the API tests): the retries' backoff must not wait for it.
        using var host = new SourceHost(
            new Dictionary<string, string?> { ["Facade:Prometheus:Url"] = $"http://127.0.0.1:{port}/", ["Facade:Prometheus:Timeout"] = "00:00:10" },
            new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(NowMs)));
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<SourceUnavailableException>(() => host.Source.NodesAsync(NowMs, LatestRows.PreviousRow, CancellationToken.None));

        // Retries that waited on the frozen clock would end at the 10 s deadline instead.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.StartsWith($"Prometheus at http://127.0.0.1:{port} cannot be reached: ", failure.Message);
    }

    [Fact]
    public async Task A_caller_that_goes_away_is_a_cancellation_not_an_outage()
    {
        Answer(Response.Create().WithStatusCode(200).WithBody(NodeAnswer).WithDelay(TimeSpan.FromSeconds(3)));
        using var host = Host();
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.Source.NodesAsync(NowMs, LatestRows.PreviousRow, caller.Token));
        Assert.Empty(host.Log.Of("KubeMonitor"));
    }

    private void Answer(IResponseBuilder response) =>
        _backend.Given(Request.Create().WithPath(QueryPath).UsingPost()).RespondWith(response);

    private SourceHost Host(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?> { ["Facade:Prometheus:Url"] = $"{_backend.Url}/prom/" };
        foreach (var (key, value) in settings) all[$"Facade:Prometheus:{key}"] = value;
        return new SourceHost(all);
    }
}

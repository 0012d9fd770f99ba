using System.Diagnostics;
using System.Net;
using KubeMonitor.Facade.Ingest;
using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Tests.Prometheus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace KubeMonitor.Facade.Tests;

/// <summary>
/// Readiness and pushes over either source (docs/api.md section 8); over Prometheus, a backend
/// that is down or hangs is a 503 problem with Retry-After, never a wait past the timeout.
/// </summary>
public abstract class SourceHealthTests(Func<Dictionary<string, string?>?, FacadeFactory> newFacade)
{
    /// <summary>Push paths with a body each would take.</summary>
    public static TheoryData<string, string> Pushes => new()
    {
        { "/api/nodes/node-1", """{"cpu":{"usageSecondsTotal":1}}""" },
        { "/api/nodes/node-1/batch", """{"pods":[{"name":"a","namespace":"shop","cpu":{"usageSecondsTotal":1}}]}""" },
        { "/api/pods/a", """{"namespace":"shop","cpu":{"usageSecondsTotal":1}}""" },
    };

    protected FacadeFactory NewFacade(Dictionary<string, string?>? settings = null) => newFacade(settings);

    [Fact]
    public async Task Readyz_is_200_and_reads_answer_while_the_source_answers()
    {
        using var facade = newFacade(null);
        using var ready = await facade.CreateClient().GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Empty((await facade.GetJsonAsync("/api/nodes"))["items"]!.AsArray());
    }
}

public sealed class SourceHealthOnMemoryTests() : SourceHealthTests(settings => new FacadeFactory(settings))
{
    [Theory]
    [MemberData(nameof(Pushes))]
    public async Task Pushes_are_taken(string path, string body)
    {
        using var facade = NewFacade();
        using var response = await facade.PostJsonAsync(path, body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}

public sealed class SourceHealthOnPrometheusTests() : SourceHealthTests(settings => new PrometheusFacadeFactory(settings))
{
    /// <summary>What a full test run on two cores can add to a request (CI once took 3.4 s for a 2 s deadline).</summary>
    private static readonly TimeSpan SchedulingSlack = TimeSpan.FromSeconds(2.5);

    /// <summary>A client of a facade that has started and answered once, so that the clock times the request, not the host's start.</summary>
    private static async Task<HttpClient> WarmedClientAsync(FacadeFactory facade)
    {
        var client = facade.CreateClient();
        using var live = await client.GetAsync(new Uri("/livez", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        return client;
    }

    [Theory]
    [InlineData("/api/nodes")]
    [InlineData("/api/nodes/node-1")]
    [InlineData("/api/nodes/node-1?window=60")]
    [InlineData("/api/pods")]
    [InlineData("/api/pods?limit=2")]
    [InlineData("/api/pods/a")]
    [InlineData("/api/pods/a?window=60")]
    [InlineData("/api/namespaces")]
    [InlineData("/api/namespaces/shop")]
    [InlineData("/api/namespaces/shop?window=60")]
    [InlineData("/api/namespaces/shop/pods")]
    [InlineData("/api/namespaces/shop/deployments")]
    [InlineData("/api/namespaces/shop/deployments/web")]
    [InlineData("/api/namespaces/shop/deployments/web?window=60")]
    public async Task Reads_of_a_backend_that_is_down_are_a_503_problem_with_Retry_After_within_the_timeout(string path)
    {
        var url = $"http://127.0.0.1:{FacadeProcess.FreePort()}/";
        using var facade = NewFacade(new() { ["Facade:Prometheus:Url"] = url, ["Facade:Prometheus:Timeout"] = "00:00:02" });
        var client = await WarmedClientAsync(facade);
        var clock = Stopwatch.StartNew();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        // The 2 s deadline, and room for a busy machine: far from the 30 s default and from waiting on each query in turn.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2) + SchedulingSlack);
        var problem = await FacadeFactory.AssertProblemAsync(response, 503);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        // Refused connections are retried with back-off: on a busy machine the timeout may end them first.
        var detail = (string?)problem["detail"];
        Assert.StartsWith($"Prometheus at {url.TrimEnd('/')} ", detail, StringComparison.Ordinal);
        Assert.True(detail!.Contains(" cannot be reached", StringComparison.Ordinal) || detail.Contains(" did not answer within 2 s", StringComparison.Ordinal), detail);
    }

    [Fact]
    public async Task A_backend_that_hangs_is_a_503_problem_with_Retry_After_at_the_timeout_not_later()
    {
        using var backend = WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"] });
        // (A short delay: disposing WireMock waits for the answers it still holds.)
        backend.Given(Request.Create().WithPath("/api/v1/query").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"status":"success","data":{"resultType":"matrix","result":[]}}""").WithDelay(TimeSpan.FromSeconds(4)));
        using var facade = NewFacade(new() { ["Facade:Prometheus:Url"] = backend.Url, ["Facade:Prometheus:Timeout"] = "00:00:01" });
        var client = await WarmedClientAsync(facade);
        var clock = Stopwatch.StartNew();

        using var response = await client.GetAsync(new Uri("/api/nodes/node-1?window=60", UriKind.Relative));

        // At the deadline, not at the backend's answer 4 s later: room for a busy machine, not for the wait.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(1) + SchedulingSlack);
        var problem = await FacadeFactory.AssertProblemAsync(response, 503);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.Equal($"Prometheus at {backend.Url} did not answer within 1 s.", (string?)problem["detail"]);
    }

    [Fact]
    public async Task Readyz_is_a_503_problem_while_the_backend_is_down()
    {
        var url = $"http://127.0.0.1:{FacadeProcess.FreePort()}/";
        using var facade = NewFacade(new() { ["Facade:Prometheus:Url"] = url });

        using var response = await facade.CreateClient().GetAsync(new Uri("/readyz", UriKind.Relative));

        var problem = await FacadeFactory.AssertProblemAsync(response, 503);
        // Refused connections are retried with back-off: on a busy machine the timeout may end them first.
        var detail = (string?)problem["detail"];
        Assert.StartsWith($"Prometheus at {url.TrimEnd('/')} ", detail, StringComparison.Ordinal);
        Assert.True(detail!.Contains(" cannot be reached", StringComparison.Ordinal) || detail.Contains(" did not answer within 2 s", StringComparison.Ordinal), detail);
        // Alive all the same: restarting the facade would not bring the backend back.
        using var live = await facade.CreateClient().GetAsync(new Uri("/livez", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public void The_facade_starts_with_every_service_checked_and_no_store_nor_ingest()
    {
        using var facade = NewFacade();
        // WebApplicationFactory runs in Development, where the host builds every registered service at start.
        Assert.True(facade.Services.GetRequiredService<IHostEnvironment>().IsDevelopment());
        Assert.Null(facade.Services.GetService<ISampleStore>());
        Assert.Null(facade.Services.GetService<Ingestor>());
    }

    [Theory]
    [MemberData(nameof(Pushes))]
    public async Task Pushes_are_a_404_problem_saying_the_facade_reads_from_Prometheus(string path, string body)
    {
        using var facade = NewFacade();
        using var response = await facade.PostJsonAsync(path, body);
        var problem = await FacadeFactory.AssertProblemAsync(response, 404);
        Assert.Contains("reads its samples from a Prometheus-compatible server", (string?)problem["detail"], StringComparison.Ordinal);
    }
}

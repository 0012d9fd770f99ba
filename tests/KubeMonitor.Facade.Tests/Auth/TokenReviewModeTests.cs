using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace KubeMonitor.Facade.Tests.Auth;

public sealed class TokenReviewModeTests : IDisposable
{
    private const string ExporterToken = "eyJhbGciOiJSUzI1NiJ9.exporter-projected-token.sig";
    private const string Exporter = "system:serviceaccount:kubemonitor:kubemonitor-exporter";
    private static readonly string[] ServiceAccountGroups = ["system:serviceaccounts", "system:authenticated"];
    private readonly FakeKubernetesApi api = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero));

    public void Dispose() => api.Dispose();

    private Task<AuthTestHost> StartAsync(string? kubeconfig = null, string reviewTimeout = FakeKubernetesApi.SlowMachineReviewTimeout) => AuthTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["Facade:Auth:Mode"] = "TokenReview",
        ["Facade:Auth:ReviewTimeout"] = reviewTimeout,
        ["Facade:Auth:Audience"] = "kubemonitor-facade",
        ["Facade:Kubernetes:Kubeconfig"] = kubeconfig ?? api.Kubeconfig,
    }, clock);

    /// <param name="boundNodes">The values of the node-name extra (Kubernetes 1.30+, a token bound to a pod); null leaves it out.</param>
    internal static string Status(bool authenticated, string user = Exporter, string audience = "kubemonitor-facade", string? error = null, string[]? boundNodes = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["authenticated"] = authenticated,
            ["user"] = authenticated
                ? new Dictionary<string, object?>
                {
                    ["username"] = user,
                    ["uid"] = "9d1c5f6e-0000-4000-8000-000000000001",
                    ["groups"] = ServiceAccountGroups,
                    ["extra"] = boundNodes is null ? null : new Dictionary<string, string[]>
                    {
                        ["authentication.kubernetes.io/pod-name"] = ["kubemonitor-exporter-7xk2p"],
                        ["authentication.kubernetes.io/node-name"] = boundNodes,
                    },
                }
                : new Dictionary<string, object?>(),
            ["audiences"] = authenticated ? new[] { audience } : null,
            ["error"] = error,
        });

    [Fact]
    public async Task Exporter_token_for_our_audience_is_accepted_and_the_review_is_well_formed()
    {
        api.ReviewAnswers(Status(true));
        await using var host = await StartAsync();

        using var response = await host.PushAsync(ExporterToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(["node-1"], host.Stored);
        var sent = Assert.Single(api.Server.LogEntries).RequestMessage;
        Assert.Equal("POST", sent.Method);
        Assert.Equal("Bearer facade-own-token", sent.Headers!["Authorization"].Single());
        using var review = JsonDocument.Parse(sent.Body!);
        Assert.Equal("authentication.k8s.io/v1", review.RootElement.GetProperty("apiVersion").GetString());
        Assert.Equal("TokenReview", review.RootElement.GetProperty("kind").GetString());
        var spec = review.RootElement.GetProperty("spec");
        Assert.Equal(ExporterToken, spec.GetProperty("token").GetString());
        Assert.Equal(["kubemonitor-facade"], spec.GetProperty("audiences").EnumerateArray().Select(a => a.GetString()));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Message.Contains(ExporterToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_of_another_audience_is_403()
    {
        // An authenticator that ignores spec.audiences answers with the API server's own audience.
        api.ReviewAnswers(Status(true, audience: "https://kubernetes.default.svc.cluster.local"));
        await using var host = await StartAsync();
        using var response = await host.PushAsync(ExporterToken);
        var detail = await ProblemAssert.IsProblem(response, 403);
        Assert.Contains("audience", detail, StringComparison.Ordinal);
        Assert.Empty(host.Stored);
    }

    [Fact]
    public async Task Token_of_another_ServiceAccount_is_403()
    {
        api.ReviewAnswers(Status(true, user: "system:serviceaccount:kubemonitor:default"));
        await using var host = await StartAsync();
        using var response = await host.PushAsync(ExporterToken);
        var detail = await ProblemAssert.IsProblem(response, 403);
        Assert.Contains("system:serviceaccount:kubemonitor:default", detail, StringComparison.Ordinal);
        Assert.Empty(host.Stored);
    }

    [Fact]
    public async Task Unauthenticated_token_is_403_and_the_denial_is_remembered_for_ten_seconds_only()
    {
        api.ReviewAnswers(Status(false, error: "[invalid bearer token, token has been invalidated]"));
        await using var host = await StartAsync();
        using (var first = await host.PushAsync(ExporterToken)) await ProblemAssert.IsProblem(first, 403);
        clock.Advance(TimeSpan.FromSeconds(9));
        using (var second = await host.PushAsync(ExporterToken)) await ProblemAssert.IsProblem(second, 403);
        Assert.Equal(1, api.TokenReviewCalls);

        // The API server changed its mind (a clock or RBAC fixed): seen once the denial expires.
        api.Server.Reset();
        api.ReviewAnswers(Status(true));
        clock.Advance(TimeSpan.FromSeconds(1));
        using (var third = await host.PushAsync(ExporterToken)) Assert.Equal(HttpStatusCode.Accepted, third.StatusCode);
        Assert.Equal(1, api.TokenReviewCalls);
        Assert.Equal(["node-1"], host.Stored);
    }

    [Fact]
    public async Task Denial_duration_is_a_setting()
    {
        api.ReviewAnswers(Status(false, error: "token has expired"));
        await using var host = await AuthTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Facade:Auth:Mode"] = "TokenReview",
            ["Facade:Auth:ReviewTimeout"] = FakeKubernetesApi.SlowMachineReviewTimeout,
            ["Facade:Auth:DenialCacheDuration"] = "00:00:00",
            ["Facade:Kubernetes:Kubeconfig"] = api.Kubeconfig,
        }, clock);
        using (var first = await host.PushAsync(ExporterToken)) await ProblemAssert.IsProblem(first, 403);
        using (var second = await host.PushAsync(ExporterToken)) await ProblemAssert.IsProblem(second, 403);
        Assert.Equal(2, api.TokenReviewCalls);
    }

    [Fact]
    public async Task Concurrent_pushes_with_one_new_token_cost_one_TokenReview()
    {
        api.ReviewAnswersLate(Status(true), TimeSpan.FromMilliseconds(500));
        await using var host = await StartAsync();

        var pushes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => host.PushAsync(ExporterToken)));

        Assert.All(pushes, p => Assert.Equal(HttpStatusCode.Accepted, p.StatusCode));
        foreach (var push in pushes) push.Dispose();
        Assert.Equal(1, api.TokenReviewCalls);
        Assert.Equal(8, host.Stored.Count);
    }

    [Fact]
    public async Task Token_bound_to_a_node_pushes_for_that_node_only()
    {
        api.ReviewAnswers(Status(true, boundNodes: ["node-1"]));
        await using var host = await StartAsync();

        using (var own = await host.PushAsync(ExporterToken, "node-1")) Assert.Equal(HttpStatusCode.Accepted, own.StatusCode);
        using (var ownBatch = await host.SendAsync(HttpMethod.Post, "/api/nodes/node-1/batch", "Bearer " + ExporterToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, ownBatch.StatusCode);
        }
        using (var other = await host.PushAsync(ExporterToken, "node-2"))
        {
            var detail = await ProblemAssert.IsProblem(other, 403);
            Assert.Contains("'node-1'", detail, StringComparison.Ordinal);
            Assert.Contains("'node-2'", detail, StringComparison.Ordinal);
        }
        using (var otherBatch = await host.SendAsync(HttpMethod.Post, "/api/nodes/node-2/batch", "Bearer " + ExporterToken))
        {
            await ProblemAssert.IsProblem(otherBatch, 403);
        }

        Assert.Equal(["node-1", "node-1/batch"], host.Stored);
        // The binding came from the cache the second time on: one review for all four.
        Assert.Equal(1, api.TokenReviewCalls);
        Assert.DoesNotContain(host.Logs.Lines, l => l.Message.Contains(ExporterToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_bound_to_a_node_may_still_read_other_nodes_when_reads_are_protected()
    {
        api.ReviewAnswers(Status(true, boundNodes: ["node-1"]));
        await using var host = await AuthTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Facade:Auth:Mode"] = "TokenReview",
            ["Facade:Auth:ReviewTimeout"] = FakeKubernetesApi.SlowMachineReviewTimeout,
            ["Facade:Auth:ProtectReads"] = "true",
            ["Facade:Kubernetes:Kubeconfig"] = api.Kubeconfig,
        }, clock);
        using var read = await host.SendAsync(HttpMethod.Get, "/api/nodes/node-2", "Bearer " + ExporterToken);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task Token_without_the_node_extra_pushes_for_any_node_as_before()
    {
        api.ReviewAnswers(Status(true));
        await using var host = await StartAsync();
        using (var first = await host.PushAsync(ExporterToken, "node-1")) Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        using (var second = await host.PushAsync(ExporterToken, "node-2")) Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(["node-1", "node-2"], host.Stored);
    }

    [Theory]
    [InlineData(0)] // []
    [InlineData(2)] // ["node-1", "node-2"]
    [InlineData(1)] // [""]
    public async Task Node_extra_that_names_not_exactly_one_node_is_403(int values)
    {
        string[] boundNodes = values switch { 0 => [], 1 => [""], _ => ["node-1", "node-2"] };
        api.ReviewAnswers(Status(true, boundNodes: boundNodes));
        await using var host = await StartAsync();
        using var response = await host.PushAsync(ExporterToken, "node-1");
        var detail = await ProblemAssert.IsProblem(response, 403);
        Assert.Contains("node-name", detail, StringComparison.Ordinal);
        Assert.Empty(host.Stored);
    }

    [Fact]
    public async Task Missing_bearer_is_401_without_asking_the_API()
    {
        api.ReviewAnswers(Status(true));
        await using var host = await StartAsync();
        using var response = await host.PushAsync(null);
        await ProblemAssert.IsProblem(response, 401);
        Assert.Equal(0, api.TokenReviewCalls);
    }

    [Fact]
    public async Task Unreachable_API_server_is_503_and_the_handler_is_not_called()
    {
        var dir = Directory.CreateTempSubdirectory("kubemonitor-unreachable-").FullName;
        try
        {
            var kubeconfig = FakeKubernetesApi.WriteKubeconfig(dir, new Uri($"http://127.0.0.1:{FakeKubernetesApi.ClosedPort()}"));
            await using var host = await StartAsync(kubeconfig);
            using var response = await host.PushAsync(ExporterToken);
            await ProblemAssert.IsProblem(response, 503);
            Assert.Empty(host.Stored);
            Assert.Contains(host.Logs.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
            Assert.DoesNotContain(host.Logs.Lines, l => l.Message.Contains(ExporterToken, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(403)] // the facade's own ServiceAccount may not create TokenReviews
    public async Task API_server_error_is_503_and_the_handler_is_not_called(int status)
    {
        api.ReviewFails(status);
        await using var host = await StartAsync();
        using var response = await host.PushAsync(ExporterToken);
        await ProblemAssert.IsProblem(response, 503);
        Assert.Empty(host.Stored);
    }

    [Fact]
    public async Task API_server_slower_than_the_review_timeout_is_503()
    {
        api.ReviewAnswersLate(Status(true), TimeSpan.FromSeconds(3));
        await using var host = await StartAsync(reviewTimeout: "00:00:00.200");
        using var response = await host.PushAsync(ExporterToken);
        var detail = await ProblemAssert.IsProblem(response, 503);
        Assert.Contains("in time", detail, StringComparison.Ordinal);
        Assert.Empty(host.Stored);
    }

    [Fact]
    public async Task Accepted_review_is_cached_until_it_expires()
    {
        api.ReviewAnswers(Status(true));
        await using var host = await StartAsync();

        using (var first = await host.PushAsync(ExporterToken)) Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        clock.Advance(TimeSpan.FromSeconds(5));
        using (var second = await host.PushAsync(ExporterToken)) Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(1, api.TokenReviewCalls);

        // Another token is its own cache entry.
        using (var other = await host.PushAsync(ExporterToken + "2")) Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
        Assert.Equal(2, api.TokenReviewCalls);

        clock.Advance(TimeSpan.FromSeconds(56));
        using (var expired = await host.PushAsync(ExporterToken)) Assert.Equal(HttpStatusCode.Accepted, expired.StatusCode);
        Assert.Equal(3, api.TokenReviewCalls);
        Assert.Equal(4, host.Stored.Count);
    }

    [Fact]
    public async Task Cached_acceptance_does_not_survive_a_now_failing_review()
    {
        api.ReviewAnswers(Status(true));
        await using var host = await StartAsync();
        using (var first = await host.PushAsync(ExporterToken)) Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        api.Server.Reset();
        api.ReviewAnswers(Status(false, error: "token has expired"));
        clock.Advance(TimeSpan.FromSeconds(61));
        using var late = await host.PushAsync(ExporterToken);
        await ProblemAssert.IsProblem(late, 403);
        Assert.Single(host.Stored);
    }
}

using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using KubeMonitor.Facade.Tests.Auth;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace KubeMonitor.Facade.Tests.MetricsApi;

/// <summary>
/// Who may read, over a real HTTPS connection to the real listener: front-proxy certificates,
/// bearer tokens (TokenReview) and SubjectAccessReview, with WireMock as the API server.
/// </summary>
public sealed class MetricsApiRefusalTests : IDisposable
{
    private const string SubjectAccessReviewPath = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
    private const string Nodes = "/apis/metrics.k8s.io/v1beta1/nodes";
    private const string ShopPods = "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods";

    private readonly FakeKubernetesApi _apiServer = new();
    private readonly MetricsApiFactory _facade;

    public MetricsApiRefusalTests()
    {
        _facade = MetricsApiFactory.Create(new()
        {
            ["Facade:MetricsApi:Authorization"] = "SubjectAccessReview",
            ["Facade:MetricsApi:RequestHeaderAllowedNames:0"] = "front-proxy-client",
            ["Facade:MetricsApi:ReviewTimeout"] = FakeKubernetesApi.SlowMachineReviewTimeout,
            ["Facade:Kubernetes:Kubeconfig"] = _apiServer.Kubeconfig,
            ["Facade:Kubernetes:WatchReplicaSets"] = "false",
        });
        // alice may read everything; anyone else is denied.
        _apiServer.Server.Given(Request.Create().WithPath(SubjectAccessReviewPath).UsingPost().WithBody(new JsonPartialMatcher(new { spec = new { user = "alice" } })))
            .AtPriority(1).RespondWith(Review(allowed: true));
        _apiServer.Server.Given(Request.Create().WithPath(SubjectAccessReviewPath).UsingPost())
            .AtPriority(2).RespondWith(Review(allowed: false));
    }

    public void Dispose()
    {
        _facade.Dispose();
        _apiServer.Dispose();
    }

    private static IResponseBuilder Review(bool allowed) =>
        Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody(
            $$$"""{"kind":"SubjectAccessReview","apiVersion":"authorization.k8s.io/v1","spec":{},"status":{"allowed":{{{(allowed ? "true" : "false")}}},"reason":"{{{(allowed ? "RBAC: allowed" : "")}}}"}}""");

    private IEnumerable<JsonNode> Reviews() => _apiServer.Server.LogEntries
        .Where(e => e.RequestMessage.Path == SubjectAccessReviewPath)
        .Select(e => JsonNode.Parse(e.RequestMessage.Body!)!);

    private static async Task<(int Status, JsonNode Body)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static void AssertStatus((int Status, JsonNode Body) answer, int code, string reason)
    {
        Assert.True(answer.Status == code, $"{answer.Status}: {answer.Body.ToJsonString()}");
        Assert.Equal(("Status", "Failure", reason, code), ((string?)answer.Body["kind"], (string?)answer.Body["status"], (string?)answer.Body["reason"], (int)answer.Body["code"]!));
    }

    [Fact]
    public async Task A_trusted_front_proxy_with_an_allowed_user_is_served_after_a_review_that_is_then_cached()
    {
        using var client = _facade.Proxied("alice", "devs", "system:authenticated");

        Assert.Equal(200, (await GetAsync(client, ShopPods)).Status);
        Assert.Equal(200, (await GetAsync(client, ShopPods)).Status);

        var review = Assert.Single(Reviews())["spec"]!;
        Assert.Equal("alice", (string?)review["user"]);
        Assert.Equal(["devs", "system:authenticated"], review["groups"]!.AsArray().Select(g => (string?)g));
        var attributes = review["resourceAttributes"]!;
        Assert.Equal(("list", "metrics.k8s.io", "v1beta1", "pods", "shop"),
            ((string?)attributes["verb"], (string?)attributes["group"], (string?)attributes["version"], (string?)attributes["resource"], (string?)attributes["namespace"]));
    }

    [Fact]
    public async Task A_user_denied_by_SubjectAccessReview_gets_a_403_Status_naming_what_was_refused()
    {
        using var client = _facade.Proxied("bob", "devs");

        var answer = await GetAsync(client, $"{ShopPods}/web-1");

        AssertStatus(answer, 403, "Forbidden");
        Assert.Equal("pods.metrics.k8s.io \"web-1\" is forbidden: User \"bob\" cannot get resource \"pods\" in API group \"metrics.k8s.io\" in the namespace \"shop\"",
            (string?)answer.Body["message"]);
        AssertStatus(await GetAsync(client, Nodes), 403, "Forbidden");
        // Denials are remembered too: a second ask of the same is not a second review.
        AssertStatus(await GetAsync(client, Nodes), 403, "Forbidden");
        Assert.Equal(2, Reviews().Count());
        // Discovery asks for no review: every authenticated user may read it.
        Assert.Equal(200, (await GetAsync(client, "/apis/metrics.k8s.io/v1beta1")).Status);
    }

    [Fact]
    public async Task Members_of_system_masters_are_allowed_without_a_review()
    {
        using var client = _facade.Proxied("system:kube-aggregator", "system:masters");

        Assert.Equal(200, (await GetAsync(client, Nodes)).Status);
        Assert.Empty(Reviews());
    }

    [Fact]
    public async Task Without_a_client_certificate_the_remote_user_headers_are_ignored()
    {
        using var client = _facade.MetricsClient(certificate: null, "admin", "system:masters");

        AssertStatus(await GetAsync(client, Nodes), 401, "Unauthorized");
        AssertStatus(await GetAsync(client, "/apis/metrics.k8s.io/v1beta1"), 401, "Unauthorized");
        Assert.Empty(Reviews());
    }

    [Fact]
    public async Task A_client_certificate_from_another_CA_is_refused()
    {
        using var stranger = new TestCertificates("front-proxy-ca"); // same name, other key
        using var client = _facade.MetricsClient(stranger.Client("front-proxy-client"), "admin", "system:masters");

        AssertStatus(await GetAsync(client, Nodes), 401, "Unauthorized");
        Assert.Empty(Reviews());
    }

    [Fact]
    public async Task A_trusted_certificate_with_a_name_not_allowed_or_not_for_clients_is_refused()
    {
        using (var otherName = _facade.MetricsClient(_facade.FrontProxy.Client("someone-else"), "admin", "system:masters"))
        {
            AssertStatus(await GetAsync(otherName, Nodes), 401, "Unauthorized");
        }
        using (var serverOnly = _facade.MetricsClient(_facade.FrontProxy.Client("front-proxy-client", forClientAuthentication: false), "admin", "system:masters"))
        {
            AssertStatus(await GetAsync(serverOnly, Nodes), 401, "Unauthorized");
        }
        // A trusted proxy that names no user authenticates nobody.
        using var noUser = _facade.MetricsClient(_facade.FrontProxy.Client("front-proxy-client"));
        AssertStatus(await GetAsync(noUser, Nodes), 401, "Unauthorized");
    }

    [Fact]
    public async Task A_bearer_token_is_the_user_its_TokenReview_names()
    {
        _apiServer.ReviewAnswersFor("alices-token", """{"authenticated":true,"user":{"username":"alice","groups":["devs"]}}""");
        _apiServer.ReviewAnswersFor("bobs-token", """{"authenticated":true,"user":{"username":"bob","groups":["devs"]}}""");
        _apiServer.ReviewAnswersFor("expired-token", """{"authenticated":false,"error":"token has expired"}""");

        using var alice = _facade.MetricsClient(certificate: null);
        alice.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "alices-token");
        Assert.Equal(200, (await GetAsync(alice, Nodes)).Status);
        Assert.Equal(200, (await GetAsync(alice, Nodes)).Status);
        Assert.Equal(1, _apiServer.TokenReviewCalls);

        using var bob = _facade.MetricsClient(certificate: null);
        bob.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "bobs-token");
        AssertStatus(await GetAsync(bob, Nodes), 403, "Forbidden");

        using var expired = _facade.MetricsClient(certificate: null, "alice");
        expired.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "expired-token");
        AssertStatus(await GetAsync(expired, Nodes), 401, "Unauthorized");
    }
}

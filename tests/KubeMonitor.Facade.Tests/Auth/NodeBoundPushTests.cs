using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace KubeMonitor.Facade.Tests.Auth;

/// <summary>
/// The real facade (Program) in TokenReview mode with a token bound to node-1: pushes for
/// another node are a 403 and store nothing, whether the node is in the path or in a pod sample.
/// </summary>
public sealed class NodeBoundPushTests : IDisposable
{
    private const string BoundToken = "eyJhbGciOiJSUzI1NiJ9.bound-to-node-1.sig";
    private const string UnboundToken = "eyJhbGciOiJSUzI1NiJ9.legacy-unbound.sig";
    private readonly FakeKubernetesApi api = new();
    private readonly FacadeFactory facade;

    public NodeBoundPushTests()
    {
        api.ReviewAnswersFor(BoundToken, TokenReviewModeTests.Status(true, boundNodes: ["node-1"]));
        api.ReviewAnswersFor(UnboundToken, TokenReviewModeTests.Status(true));
        facade = new FacadeFactory(new()
        {
            ["Facade:Auth:Mode"] = "TokenReview",
            ["Facade:Auth:ReviewTimeout"] = FakeKubernetesApi.SlowMachineReviewTimeout,
            ["Facade:Kubernetes:Kubeconfig"] = api.Kubeconfig,
            // Only the TokenReview is played here, not the ReplicaSet list and watch.
            ["Facade:Kubernetes:WatchReplicaSets"] = "false",
        });
        facade.SetTime(10);
    }

    public void Dispose()
    {
        facade.Dispose();
        api.Dispose();
    }

    private static object Batch(params object[] pods) => new
    {
        timestamp = FacadeFactory.At(10),
        node = Bodies.Node(10, 1),
        pods,
    };

    private async Task<HttpResponseMessage> PushAsync(string path, object body, string token = BoundToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await facade.CreateClient().SendAsync(request);
    }

    [Fact]
    public async Task Pushes_for_its_own_node_are_stored()
    {
        using (var node = await PushAsync("/api/nodes/node-1", Bodies.Node(10, 1))) Assert.Equal(HttpStatusCode.Accepted, node.StatusCode);
        using (var batch = await PushAsync("/api/nodes/node-1/batch", Batch(Bodies.Pod(10, "shop", 1, node: null, name: "web-1"))))
        {
            Assert.Equal(HttpStatusCode.Accepted, batch.StatusCode);
        }
        using (var pod = await PushAsync("/api/pods/web-2", Bodies.Pod(10, "shop", 1, node: "node-1"))) Assert.Equal(HttpStatusCode.Accepted, pod.StatusCode);
        Assert.Equal("node-1", (string?)(await facade.GetJsonAsync("/api/pods/web-1"))["node"]);
        Assert.Equal("node-1", (string?)(await facade.GetJsonAsync("/api/pods/web-2"))["node"]);
        Assert.Equal(1, api.TokenReviewCalls);
    }

    [Theory]
    [InlineData("/api/nodes/node-2")]
    [InlineData("/api/nodes/node-2/batch")]
    public async Task A_push_for_another_node_in_the_path_is_403_and_stores_nothing(string path)
    {
        object body = path.EndsWith("/batch", StringComparison.Ordinal) ? Batch(Bodies.Pod(10, "shop", 1, node: null, name: "web-1")) : Bodies.Node(10, 1);
        using var response = await PushAsync(path, body);
        var problem = await FacadeFactory.AssertProblemAsync(response, 403);
        Assert.Contains("bound to node 'node-1'", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Equal(0, facade.Store.SeriesCount);
    }

    [Fact]
    public async Task A_pod_sample_naming_another_node_is_403_and_stores_nothing()
    {
        using var response = await PushAsync("/api/pods/web-1", Bodies.Pod(10, "shop", 1, node: "node-2"));
        var problem = await FacadeFactory.AssertProblemAsync(response, 403);
        Assert.Contains("'node-2'", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Contains("shop/web-1", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Equal(0, facade.Store.SeriesCount);
        var metrics = await facade.CreateClient().GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("kubemonitor_facade_pushes_rejected_total{reason=\"wrong_node\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pod_sample_without_a_node_gets_the_bound_node()
    {
        // Pushed first for node-2 by an unbound (older) token, then without a node by node-1's.
        using (var before = await PushAsync("/api/pods/web-1", Bodies.Pod(5, "shop", 1, node: "node-2"), UnboundToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, before.StatusCode);
        }
        using var response = await PushAsync("/api/pods/web-1", Bodies.Pod(10, "shop", 2, node: null));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("node-1", (string?)(await facade.GetJsonAsync("/api/pods/web-1"))["node"]);
    }

    [Fact]
    public async Task A_token_without_a_binding_pushes_for_any_node_as_before()
    {
        using (var node = await PushAsync("/api/nodes/node-2", Bodies.Node(10, 1), UnboundToken)) Assert.Equal(HttpStatusCode.Accepted, node.StatusCode);
        using (var pod = await PushAsync("/api/pods/web-1", Bodies.Pod(10, "shop", 1, node: "node-3"), UnboundToken)) Assert.Equal(HttpStatusCode.Accepted, pod.StatusCode);
        using (var bare = await PushAsync("/api/pods/web-2", Bodies.Pod(10, "shop", 1, node: null), UnboundToken)) Assert.Equal(HttpStatusCode.Accepted, bare.StatusCode);
        Assert.Equal("node-3", (string?)(await facade.GetJsonAsync("/api/pods/web-1"))["node"]);
        Assert.Null((await facade.GetJsonAsync("/api/pods/web-2"))["node"]);
    }
}

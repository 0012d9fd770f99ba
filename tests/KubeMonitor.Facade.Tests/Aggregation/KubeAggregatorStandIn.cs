using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Facade.Tests.Aggregation;

/// <summary>
/// What kubectl and the HPA's client see of a cluster whose metrics.k8s.io is aggregated: a small
/// API server on 127.0.0.1 (HTTPS, a bearer token) that answers <c>/version</c> with a chosen
/// gitVersion (kubectl's dispatcher on this machine runs the kubectl of that minor version),
/// discovery (<c>/api</c>, <c>/api/v1</c>, <c>/apis</c> with the group its APIService adds) and
/// the core lists kubectl falls back to (nodes, pods), and proxies <c>/apis/metrics.k8s.io/...</c>
/// to the facade's HTTPS listener as kube-aggregator does: the front-proxy client certificate,
/// the authenticated user and groups in <c>X-Remote-*</c> headers, the caller's own credential
/// left behind.
/// </summary>
internal sealed class KubeAggregatorStandIn : IAsyncDisposable
{
    public const string Token = "kubectl-test-token";
    public const string User = "jane";
    public static readonly IReadOnlyList<string> Groups = ["system:authenticated", "metrics-readers"];

    private const string MetricsGroup = "/apis/metrics.k8s.io";
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string PathAndQuery, string UserAgent)> _proxied = new();

    private KubeAggregatorStandIn(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>Each proxied request: path with query, and the User-Agent (which kubectl sent it).</summary>
    public IReadOnlyList<(string PathAndQuery, string UserAgent)> Proxied => [.. _proxied];

    public static async Task<KubeAggregatorStandIn> StartAsync(
        string gitVersion, StandInCluster cluster, X509Certificate2 servingCertificate, Uri facadeMetricsApi, X509Certificate2 frontProxyClient)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(servingCertificate)));
        var app = builder.Build();
        var standIn = new KubeAggregatorStandIn(app);
        var facade = new FrontProxyClient(facadeMetricsApi, frontProxyClient);
        app.Run(context => standIn.HandleAsync(context, gitVersion, cluster, facade));
        await app.StartAsync();
        standIn.Url = new Uri(app.Urls.Single());
        return standIn;
    }

    private async Task HandleAsync(HttpContext context, string gitVersion, StandInCluster cluster, FrontProxyClient facade)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        // /version is public (system:public-info-viewer); the rest needs the token.
        if (path == "/version")
        {
            await WriteAsync(context, 200, Version(gitVersion));
            return;
        }
        if (request.Headers.Authorization != $"Bearer {Token}")
        {
            await WriteAsync(context, 401, Status(401, "Unauthorized", "Unauthorized"));
            return;
        }
        if (path == MetricsGroup || path.StartsWith(MetricsGroup + "/", StringComparison.Ordinal))
        {
            var pathAndQuery = path + request.QueryString;
            _proxied.Enqueue((pathAndQuery, request.Headers.UserAgent.ToString()));
            var accept = request.Headers.Accept.Count > 0 ? request.Headers.Accept.ToString() : "application/json";
            var answer = await facade.GetAsync(pathAndQuery, User, Groups, accept, context.RequestAborted);
            context.Response.StatusCode = answer.Status;
            context.Response.ContentType = answer.ContentType;
            await context.Response.Body.WriteAsync(answer.Body, context.RequestAborted);
            return;
        }
        var selector = request.Query["labelSelector"].ToString();
        var (status, body) = path.Split('/', StringSplitOptions.RemoveEmptyEntries) switch
        {
            ["api"] => (200, ApiVersions(request.Host.Value ?? "")),
            ["apis"] => (200, GroupList()),
            ["api", "v1"] => (200, CoreResources()),
            ["api", "v1", "nodes"] => (200, List("NodeList", cluster.Nodes.Where(n => EqualitySelector.Matches(selector, n.Labels)).Select(Node))),
            ["api", "v1", "nodes", var name] => cluster.Nodes.SingleOrDefault(n => n.Name == name) is { } node
                ? (200, Node(node))
                : (404, Status(404, "NotFound", $"nodes \"{name}\" not found")),
            ["api", "v1", "pods"] => (200, List("PodList", cluster.Pods.Where(p => EqualitySelector.Matches(selector, p.Labels)).Select(Pod))),
            ["api", "v1", "namespaces", var ns, "pods"] => (200, List("PodList", cluster.Pods.Where(p => p.Namespace == ns && EqualitySelector.Matches(selector, p.Labels)).Select(Pod))),
            _ => (404, Status(404, "NotFound", "the server could not find the requested resource")),
        };
        await WriteAsync(context, status, body);
    }

    private static Task WriteAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private static JsonObject Version(string gitVersion)
    {
        var parts = gitVersion.TrimStart('v').Split('.');
        return new JsonObject
        {
            ["major"] = parts[0],
            ["minor"] = parts[1],
            ["gitVersion"] = gitVersion,
            ["gitCommit"] = "0000000000000000000000000000000000000000",
            ["gitTreeState"] = "clean",
            ["buildDate"] = "2026-01-01T00:00:00Z",
            ["goVersion"] = "go1.24.0",
            ["compiler"] = "gc",
            ["platform"] = "linux/amd64",
        };
    }

    private static JsonObject ApiVersions(string host) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = host }),
    };

    /// <summary>The groups besides the core one: only what the APIService v1beta1.metrics.k8s.io adds.</summary>
    private static JsonObject GroupList()
    {
        JsonObject Version() => new() { ["groupVersion"] = "metrics.k8s.io/v1beta1", ["version"] = "v1beta1" };
        return new JsonObject
        {
            ["kind"] = "APIGroupList",
            ["apiVersion"] = "v1",
            ["groups"] = new JsonArray(new JsonObject { ["name"] = "metrics.k8s.io", ["versions"] = new JsonArray(Version()), ["preferredVersion"] = Version() }),
        };
    }

    private static JsonObject CoreResources()
    {
        JsonObject Resource(string name, string kind, bool namespaced) => new()
        {
            ["name"] = name, ["singularName"] = "", ["namespaced"] = namespaced, ["kind"] = kind,
            ["verbs"] = new JsonArray("get", "list", "watch"),
        };
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["groupVersion"] = "v1",
            ["resources"] = new JsonArray(Resource("nodes", "Node", false), Resource("pods", "Pod", true), Resource("namespaces", "Namespace", false)),
        };
    }

    private static JsonObject List(string kind, IEnumerable<JsonObject> items) => new()
    {
        ["kind"] = kind,
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject { ["resourceVersion"] = "1" },
        ["items"] = new JsonArray([.. items]),
    };

    private static JsonObject Labels(IReadOnlyDictionary<string, string> labels) => new([.. labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))]);

    private static JsonObject Node(StandInNode node)
    {
        JsonObject Resources() => new() { ["cpu"] = node.AllocatableCpu, ["memory"] = node.AllocatableMemory, ["pods"] = "110" };
        return new JsonObject
        {
            ["kind"] = "Node",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject { ["name"] = node.Name, ["labels"] = Labels(node.Labels), ["creationTimestamp"] = "2026-01-01T00:00:00Z" },
            ["status"] = new JsonObject { ["capacity"] = Resources(), ["allocatable"] = Resources() },
        };
    }

    private static JsonObject Pod(StandInPod pod) => new()
    {
        ["kind"] = "Pod",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject { ["name"] = pod.Name, ["namespace"] = pod.Namespace, ["labels"] = Labels(pod.Labels), ["creationTimestamp"] = "2026-01-01T00:00:00Z" },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray([.. pod.Containers.Select(c => (JsonNode)new JsonObject { ["name"] = c, ["image"] = "app:1" })]) },
        ["status"] = new JsonObject { ["phase"] = "Running" },
    };

    private static JsonObject Status(int code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

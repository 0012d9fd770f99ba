using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using KubeMonitor.TestSupport;
using WireMock.Models;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace KubeMonitor.Exporter.Tests.Kubernetes;

/// <summary>
/// A Kubernetes API server played by WireMock.Net: GET /api/v1/pods (or /api/v1/nodes, each method's
/// <c>resource</c>) answers the current list; the same path with watch=true answers a watch. A watch body is newline-delimited JSON events;
/// a whole-body watch ends when its lines are sent (as when the server's timeoutSeconds is up),
/// and <see cref="OpenStreamingWatch"/> keeps the response open and sends lines when told.
/// </summary>
internal sealed class FakeKubeApi : IDisposable
{
    public const string Pods = "pods";
    public const string Nodes = "nodes";

    // One list and one watch answer per resource, replaced by each Serve call.
    private static Guid ListMapping(string resource) => resource == Pods ? Guid.Parse("00000000-0000-0000-0000-00000000a001") : Guid.Parse("00000000-0000-0000-0000-00000000b001");
    private static Guid WatchMapping(string resource) => resource == Pods ? Guid.Parse("00000000-0000-0000-0000-00000000a002") : Guid.Parse("00000000-0000-0000-0000-00000000b002");

    // The client sends watch=false on a list: a watch (watch=true) is matched first, the rest is a list.
    private const int WatchPriority = 1;
    private const int ListPriority = 10;

    private readonly WireMockServer _server;
    private readonly ConcurrentBag<StreamingWatch> _openStreams = [];

    private FakeKubeApi(WireMockServer server) => _server = server;

    public static FakeKubeApi Start(int port = 0) =>
        new(WireMockServer.Start(new WireMockServerSettings { Port = port, StartAdminInterface = false }));

    public int Port => _server.Port;
    public string Url => _server.Url!;

    /// <summary>The list answer from now on.</summary>
    public void ServeList(JsonNode list, int status = 200, string resource = Pods) =>
        _server.Given(Request.Create().WithPath("/api/v1/" + resource).UsingGet())
            .WithGuid(ListMapping(resource)).AtPriority(ListPriority)
            .RespondWith(Response.Create().WithStatusCode(status)
                .WithHeader("Content-Type", "application/json")
                .WithBody(list.ToJsonString()));

    /// <summary>Every pod watch from now on answers these event lines and ends.</summary>
    public void ServeWatch(params string[] eventLines) => ServeWatchOf(Pods, eventLines);

    /// <summary>Every watch of <paramref name="resource"/> from now on answers these event lines and ends.</summary>
    public void ServeWatchOf(string resource, params string[] eventLines) =>
        _server.Given(WatchRequest(resource)).WithGuid(WatchMapping(resource)).AtPriority(WatchPriority)
            .RespondWith(EventLines(eventLines));

    /// <summary>
    /// Watches from exactly <paramref name="resourceVersion"/> answer these lines and end; this
    /// comes before the general watch answer (an older version can stay refused with 410).
    /// </summary>
    public void ServeWatchFrom(string resourceVersion, params string[] eventLines) =>
        _server.Given(WatchRequest(Pods).WithParam("resourceVersion", resourceVersion)).AtPriority(WatchPriority - 1)
            .RespondWith(EventLines(eventLines));

    private static IResponseBuilder EventLines(string[] eventLines) =>
        Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json")
            .WithBody(string.Concat(eventLines.Select(line => line + "\n")));

    /// <summary>Every watch from now on is refused with this status and a Kubernetes Status body.</summary>
    public void RefuseWatch(int status, string reason) =>
        _server.Given(WatchRequest(Pods)).WithGuid(WatchMapping(Pods)).AtPriority(WatchPriority)
            .RespondWith(Response.Create().WithStatusCode(status)
                .WithHeader("Content-Type", "application/json")
                .WithBody(Status(status, reason).ToJsonString()));

    /// <summary>
    /// Watches from now on stay open: each line given to <see cref="StreamingWatch.Send"/> goes out
    /// (flushed) when it is sent, and the response ends at <see cref="StreamingWatch.End"/> (or 30 s
    /// after the last line). WireMock sends the response headers only with the first line.
    /// </summary>
    public StreamingWatch OpenStreamingWatch(string resource = Pods)
    {
        var watch = new StreamingWatch();
        _server.Given(WatchRequest(resource)).WithGuid(WatchMapping(resource)).AtPriority(WatchPriority)
            .RespondWith(Response.Create().WithStatusCode(200)
                .WithHeader("Content-Type", "application/json")
                .WithSseBody((_, queue) =>
                {
                    watch.Attach(queue);
                    return Task.CompletedTask;
                }, TimeSpan.FromSeconds(30)));
        _openStreams.Add(watch);
        return watch;
    }

    /// <summary>Requests the server received, oldest first (admin calls excluded).</summary>
    public IReadOnlyList<ApiRequest> Requests =>
        _server.LogEntries
            .Select(entry => entry.RequestMessage)
            .OrderBy(request => request.DateTime)
            .Select(request => new ApiRequest(
                request.Path,
                request.Query?.ToDictionary(pair => pair.Key, pair => pair.Value.ToString() ?? "") ?? [],
                request.Headers?.TryGetValue("Authorization", out var authorization) == true ? authorization.ToString() : null))
            .ToList();

    public void Stop()
    {
        CloseStreams();
        _server.Stop();
    }

    public void Dispose()
    {
        CloseStreams();
        _server.Dispose();
    }

    private void CloseStreams()
    {
        foreach (var stream in _openStreams) stream.End();
    }

    private static IRequestBuilder WatchRequest(string resource) =>
        Request.Create().WithPath("/api/v1/" + resource).UsingGet().WithParam("watch", "true");

    // ---- Building API objects from the real fixtures -------------------------------------

    /// <summary>The real kubelet PodList (24 pods, list metadata {}).</summary>
    public static JsonObject FixturePodList() =>
        JsonNode.Parse(File.ReadAllText(RepoPaths.Fixture("kubernetes-api", "podlist.json")))!.AsObject();

    /// <summary>A NodeList of the real minikube Node object (kubernetes-api/node.json) and no other.</summary>
    public static JsonObject FixtureNodeList(string resourceVersion) => new()
    {
        ["kind"] = "NodeList",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
        ["items"] = new JsonArray(FixtureNode()),
    };

    /// <summary>The real Node object named "minikube".</summary>
    public static JsonObject FixtureNode() =>
        JsonNode.Parse(File.ReadAllText(RepoPaths.Fixture("kubernetes-api", "node.json")))!.AsObject();

    public static JsonObject WithResourceVersion(JsonObject list, string resourceVersion)
    {
        list["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion };
        return list;
    }

    public static JsonObject Pod(JsonObject list, string name) =>
        list["items"]!.AsArray().Select(item => item!.AsObject())
            .Single(item => (string?)item["metadata"]!["name"] == name);

    public static JsonArray Items(JsonObject list) => list["items"]!.AsArray();

    /// <summary>One line of a watch stream.</summary>
    public static string Event(string type, JsonNode body, string? resourceVersion = null)
    {
        var copy = body.DeepClone();
        if (resourceVersion is not null) copy["metadata"]!["resourceVersion"] = resourceVersion;
        return new JsonObject { ["type"] = type, ["object"] = copy }.ToJsonString();
    }

    public static string Bookmark(string resourceVersion) =>
        new JsonObject
        {
            ["type"] = "BOOKMARK",
            ["object"] = new JsonObject { ["kind"] = "Pod", ["apiVersion"] = "v1", ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion } },
        }.ToJsonString();

    public static string Gone() => new JsonObject { ["type"] = "ERROR", ["object"] = Status(410, "Expired") }.ToJsonString();

    public static JsonObject Status(int code, string reason) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = code == 410 ? "too old resource version: 1 (2)" : reason,
        ["reason"] = reason,
        ["code"] = code,
    };
}

/// <summary>
/// Tests that start fake API servers run one after another: the outage test frees a port and
/// takes it again, which a server started meanwhile by another test must not grab.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FakeKubeApiServers
{
    public const string Name = "Fake Kubernetes API servers";
}

internal sealed record ApiRequest(string Path, IReadOnlyDictionary<string, string> Query, string? Authorization)
{
    public bool IsWatch => Query.TryGetValue("watch", out var watch) && watch == "true";
    public string? Param(string name) => Query.TryGetValue(name, out var value) ? value : null;
}

/// <summary>A watch response held open by the fake API server.</summary>
internal sealed class StreamingWatch
{
    private readonly TaskCompletionSource<IBlockingQueue<string?>> _queue = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the watcher's request has arrived and the response has begun.</summary>
    public Task Connected => _queue.Task;

    internal void Attach(IBlockingQueue<string?> queue) => _queue.TrySetResult(queue);

    public void Send(string line) => _queue.Task.Result.Write(line + "\n");

    public void End()
    {
        if (_queue.Task.IsCompletedSuccessfully) _queue.Task.Result.Close();
    }
}

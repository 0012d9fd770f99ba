using System.Text.Json.Nodes;
using k8s;
using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Kubernetes;

namespace KubeMonitor.Exporter.Tests.Kubernetes;

/// <summary>
/// The node's labels from a list + watch of its own Node object, against WireMock.Net playing the
/// API server with the real minikube Node (kubernetes-api/node.json).
/// </summary>
[Collection(FakeKubeApiServers.Name)]
public sealed class NodeLabelsWatcherTests
{
    private const string Node = "minikube";

    private static readonly ListWatchOptions FastRetries = new()
    {
        Backoff = new ExponentialBackoff(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100), new Random(7)),
        ListTimeout = TimeSpan.FromSeconds(10),
    };

    private sealed class RunningWatcher : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;
        private readonly KubernetesWatchApi _api;

        public RunningWatcher(string apiUrl, string node = Node)
        {
            _api = new KubernetesWatchApi(new KubernetesClientConfiguration { Host = apiUrl });
            Watcher = new NodeLabelsWatcher(_api, node, Logger, FastRetries);
            _run = Task.Run(() => Watcher.RunAsync(_stop.Token));
        }

        public RecordingLogger Logger { get; } = new();
        public NodeLabelsWatcher Watcher { get; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run.WaitAsync(TimeSpan.FromSeconds(20));
            _api.Dispose();
            _stop.Dispose();
        }
    }

    private static Dictionary<string, string> FixtureLabels() =>
        FakeKubeApi.FixtureNode()["metadata"]!["labels"]!.AsObject().ToDictionary(l => l.Key, l => (string)l.Value!);

    [Fact]
    public async Task Labels_come_from_a_list_of_this_node_only_and_follow_its_watch()
    {
        using var api = FakeKubeApi.Start();
        api.ServeList(FakeKubeApi.FixtureNodeList("100"), resource: FakeKubeApi.Nodes);
        var stream = api.OpenStreamingWatch(FakeKubeApi.Nodes);
        await using var running = new RunningWatcher(api.Url);
        var watcher = running.Watcher;

        await stream.Connected.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(FixtureLabels(), watcher.Labels);
        Assert.Equal("", watcher.Labels!["node-role.kubernetes.io/master"]); // an empty value is a label too
        var list = api.Requests.First(r => !r.IsWatch);
        Assert.Equal(("/api/v1/nodes", "metadata.name=" + Node, "0"), (list.Path, list.Param("fieldSelector"), list.Param("resourceVersion")));
        var watch = api.Requests.Single(r => r.IsWatch);
        Assert.Equal(("metadata.name=" + Node, "100"), (watch.Param("fieldSelector"), watch.Param("resourceVersion")));

        // A relabelled node (kubectl label node minikube topology.kubernetes.io/zone=a).
        var relabelled = FakeKubeApi.FixtureNode();
        relabelled["metadata"]!["labels"]!["topology.kubernetes.io/zone"] = "a";
        stream.Send(FakeKubeApi.Event("MODIFIED", relabelled, "101"));
        await Eventually.Until(() => watcher.Labels?.ContainsKey("topology.kubernetes.io/zone") == true, "MODIFIED applied", running.Logger.ToString);
        Assert.Equal(FixtureLabels().Count + 1, watcher.Labels!.Count);

        // The join of a collection carries them.
        var snapshot = new NodeSnapshot { NodeName = Node, Timestamp = DateTimeOffset.UnixEpoch };
        watcher.Annotate(snapshot);
        Assert.Equal("a", snapshot.Labels!["topology.kubernetes.io/zone"]);

        // Another node's object (a server ignoring the selector) changes nothing; this one's deletion unknows them.
        var other = FakeKubeApi.FixtureNode();
        other["metadata"]!["name"] = "worker-2";
        stream.Send(FakeKubeApi.Event("MODIFIED", other, "102"));
        stream.Send(FakeKubeApi.Event("DELETED", relabelled, "103"));
        await Eventually.Until(() => watcher.Labels is null, "DELETED applied", running.Logger.ToString);
        Assert.Equal("103", watcher.ResourceVersion);
    }

    [Fact]
    public async Task A_node_the_api_does_not_know_has_no_labels_rather_than_empty_ones()
    {
        using var api = FakeKubeApi.Start();
        api.ServeList(FakeKubeApi.FixtureNodeList("100"), resource: FakeKubeApi.Nodes);
        api.ServeWatchOf(FakeKubeApi.Nodes);
        await using var running = new RunningWatcher(api.Url, node: "not-a-node");

        await Eventually.Until(() => api.Requests.Any(r => r.IsWatch), "listed and watching", running.Logger.ToString);
        Assert.Null(running.Watcher.Labels);
        Assert.True(running.Logger.Count("Listed 1 nodes (metadata.name=not-a-node)") >= 1, running.Logger.ToString());
    }

    [Fact]
    public async Task Without_permission_to_read_nodes_the_labels_stay_unknown_and_it_keeps_trying()
    {
        using var api = FakeKubeApi.Start();
        api.ServeList(FakeKubeApi.Status(403, "Forbidden"), status: 403, resource: FakeKubeApi.Nodes);
        await using var running = new RunningWatcher(api.Url);

        await Eventually.Until(() => api.Requests.Count(r => !r.IsWatch) >= 3, "the list retried", running.Logger.ToString);
        Assert.Null(running.Watcher.Labels);
        Assert.Equal(1, running.Logger.Count("Kubernetes API unreachable (HTTP 403"));

        api.ServeList(FakeKubeApi.FixtureNodeList("100"), resource: FakeKubeApi.Nodes);
        api.ServeWatchOf(FakeKubeApi.Nodes);
        await Eventually.Until(() => running.Watcher.Labels is not null, "labels once allowed", running.Logger.ToString);
    }
}

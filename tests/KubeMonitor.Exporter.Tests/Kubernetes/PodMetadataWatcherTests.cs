using System.Text.Json.Nodes;
using k8s;
using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Kubernetes;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Tests.Kubernetes;

/// <summary>
/// The watcher against WireMock.Net playing the API server, with the real kubelet PodList of node
/// datagen-1-35 (24 pods). Every wait is on a condition, bounded only so a broken test ends.
/// </summary>
[Collection(FakeKubeApiServers.Name)]
public sealed class PodMetadataWatcherTests
{
    private const string Node = "datagen-1-35";
    private const string HpaUid = "3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4";          // e2e-hpa-6cd8d99884-tggnr
    private const string FailJobUid = "0961a396-5fff-45fe-a970-19b2aac96e5d";      // e2e-failjob-64h4g
    private const string StatefulSetUid = "b5812e37-ce78-41e2-9d8d-d93a88e481d6";  // e2e-statefulset-0
    private const string EtcdUid = "eaf7d48161d81d9c3359e1c008571fd6";            // static pod: config hash
    private const string HpaContainerId = "77bb57d9a0006a5ac95a6fa541b2f2a646943143fe1d906aaf70a392d9a62b83";
    private static readonly string RestartedId = new('e', 64);

    private static readonly ListWatchOptions FastRetries = new()
    {
        Backoff = new ExponentialBackoff(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100), new Random(7)),
        ListTimeout = TimeSpan.FromSeconds(10),
    };

    private sealed class RunningWatcher : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        public RunningWatcher(string apiUrl)
        {
            Api = new KubernetesWatchApi(new KubernetesClientConfiguration { Host = apiUrl });
            Watcher = new PodMetadataWatcher(Api, Cache, Node, Logger, FastRetries);
            _run = Task.Run(() => Watcher.RunAsync(_stop.Token));
        }

        public PodMetadataCache Cache { get; } = new();
        public RecordingLogger Logger { get; } = new();
        public KubernetesWatchApi Api { get; }
        public PodMetadataWatcher Watcher { get; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            // RunAsync ends quietly when stopped; a hang or a throw fails the test here.
            await _run.WaitAsync(TimeSpan.FromSeconds(20));
            Api.Dispose();
            _stop.Dispose();
        }
    }

    private static JsonObject FixtureAt(string resourceVersion) =>
        FakeKubeApi.WithResourceVersion(FakeKubeApi.FixturePodList(), resourceVersion);

    /// <summary>The fixture pod after its container restarted (new id) and its ReplicaSet was relabelled.</summary>
    private static JsonObject HpaAfterRestart(JsonObject list)
    {
        var pod = FakeKubeApi.Pod(list, "e2e-hpa-6cd8d99884-tggnr").DeepClone().AsObject();
        pod["metadata"]!["labels"]!["pod-template-hash"] = "7f8d9c6b5";
        pod["metadata"]!["ownerReferences"]![0]!["name"] = "e2e-hpa-7f8d9c6b5";
        pod["status"]!["containerStatuses"]![0]!["containerID"] = "containerd://" + RestartedId;
        return pod;
    }

    [Fact]
    public async Task List_fills_the_cache_from_the_real_pod_list_even_without_a_resourceVersion()
    {
        using var api = FakeKubeApi.Start();
        api.ServeList(FakeKubeApi.FixturePodList());   // list metadata {} as the kubelet sends it
        api.ServeWatch();
        await using var running = new RunningWatcher(api.Url);
        var cache = running.Cache;

        await Eventually.Until(() => cache.Count == 24 && api.Requests.Any(r => r.IsWatch), "24 pods listed and a watch started", running.Logger.ToString);

        var hpa = cache.Get(HpaUid)!;
        Assert.Equal(("e2e-hpa-6cd8d99884-tggnr", "scraper", HpaUid), (hpa.Name, hpa.Namespace, hpa.Uid));
        Assert.Equal(("ReplicaSet", "e2e-hpa-6cd8d99884", "e2e-hpa"), (hpa.OwnerKind, hpa.OwnerName, hpa.Deployment));
        Assert.Equal("php-apache", hpa.ContainerNamesById[HpaContainerId]);
        var job = cache.Get(FailJobUid)!;
        Assert.Equal(("Job", "e2e-failjob", (string?)null), (job.OwnerKind, job.OwnerName, job.Deployment));
        var statefulSet = cache.Get(StatefulSetUid)!;
        Assert.Equal(("StatefulSet", "e2e-statefulset", (string?)null), (statefulSet.OwnerKind, statefulSet.OwnerName, statefulSet.Deployment));
        var etcd = cache.Get(EtcdUid)!;
        Assert.Equal(("etcd-datagen-1-35", "kube-system", (string?)null, (string?)null), (etcd.Name, etcd.Namespace, etcd.OwnerKind, etcd.Deployment));
        Assert.Equal(7, cache.All.Count(pod => pod.Deployment is not null));   // the 7 ReplicaSet pods

        var list = api.Requests[0];
        Assert.False(list.IsWatch);
        Assert.Equal(("spec.nodeName=" + Node, "0"), (list.Param("fieldSelector"), list.Param("resourceVersion")));
        var watch = api.Requests.First(r => r.IsWatch);
        Assert.Equal(("spec.nodeName=" + Node, "true"), (watch.Param("fieldSelector"), watch.Param("allowWatchBookmarks")));
        Assert.Null(watch.Param("resourceVersion"));   // nothing to resume from: watch from now
        Assert.InRange(int.Parse(watch.Param("timeoutSeconds")!, System.Globalization.CultureInfo.InvariantCulture), 300, 600);
        Assert.Equal(1, running.Logger.Count("Listed 24 pods"));
        Assert.Equal(1, running.Logger.Count("no resourceVersion"));
    }

    [Fact]
    public async Task Watch_events_are_applied_as_they_stream_in_and_the_watch_resumes_from_the_last_version()
    {
        using var api = FakeKubeApi.Start();
        var list = FixtureAt("100");
        api.ServeList(list);
        var stream = api.OpenStreamingWatch();
        await using var running = new RunningWatcher(api.Url);
        var cache = running.Cache;
        await stream.Connected.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(24, cache.Count);
        Assert.Equal("100", api.Requests.Single(r => r.IsWatch).Param("resourceVersion"));

        // ADDED: a new pod, while the response stays open.
        var added = FakeKubeApi.Pod(list, "e2e-deployment-79967c5968-8bnn8").DeepClone();
        added["metadata"]!["name"] = "e2e-deployment-79967c5968-new01";
        added["metadata"]!["uid"] = "11111111-2222-3333-4444-555555555555";
        stream.Send(FakeKubeApi.Event("ADDED", added, "101"));
        await Eventually.Until(() => cache.Get("11111111-2222-3333-4444-555555555555") is not null, "ADDED applied", running.Logger.ToString);
        Assert.Equal("e2e-deployment", cache.Get("11111111-2222-3333-4444-555555555555")!.Deployment);

        // MODIFIED: the container restarted (new id) and the pod moved to a new ReplicaSet.
        stream.Send(FakeKubeApi.Event("MODIFIED", HpaAfterRestart(list), "102"));
        await Eventually.Until(() => cache.Get(HpaUid)!.ContainerNamesById.ContainsKey(RestartedId), "MODIFIED applied", running.Logger.ToString);
        var hpa = cache.Get(HpaUid)!;
        Assert.False(hpa.ContainerNamesById.ContainsKey(HpaContainerId));
        Assert.Equal(("e2e-hpa-7f8d9c6b5", "e2e-hpa"), (hpa.OwnerName, hpa.Deployment));

        // DELETED.
        stream.Send(FakeKubeApi.Event("DELETED", FakeKubeApi.Pod(list, "e2e-failjob-64h4g"), "103"));
        await Eventually.Until(() => cache.Get(FailJobUid) is null, "DELETED applied", running.Logger.ToString);
        Assert.Equal(24, cache.Count);

        // A bookmark moves the version on; then the server ends the stream (its timeoutSeconds).
        api.ServeWatch();
        stream.Send(FakeKubeApi.Bookmark("150"));
        stream.End();
        await Eventually.Until(() => api.Requests.Any(r => r.IsWatch && r.Param("resourceVersion") == "150"), "watch resumed from the bookmark", running.Logger.ToString);
        Assert.Single(api.Requests, r => !r.IsWatch);   // resumed, not relisted
        Assert.True(running.Logger.Count("watch restarted from resourceVersion 150") >= 1, running.Logger.ToString());

        // The join of a collection sees all of it.
        var snapshot = new NodeSnapshot
        {
            NodeName = Node,
            Timestamp = DateTimeOffset.UnixEpoch,
            Pods =
            [
                new PodSnapshot
                {
                    Uid = HpaUid, QosClass = "burstable", Stats = new CgroupStats(),
                    Containers = [new ContainerSnapshot { Id = RestartedId, Stats = new CgroupStats() }],
                },
                new PodSnapshot { Uid = FailJobUid, QosClass = "besteffort", Stats = new CgroupStats(), Containers = [] },
            ],
        };
        cache.Annotate(snapshot);
        Assert.Equal("e2e-hpa", snapshot.Pods[0].Metadata!.Deployment);
        Assert.Equal("php-apache", snapshot.Pods[0].Containers[0].Name);
        Assert.Null(snapshot.Pods[1].Metadata);
    }

    [Fact]
    public async Task Labels_requests_and_limits_follow_the_watch()
    {
        using var api = FakeKubeApi.Start();
        var list = FixtureAt("100");
        api.ServeList(list);
        var stream = api.OpenStreamingWatch();
        await using var running = new RunningWatcher(api.Url);
        var cache = running.Cache;
        await stream.Connected.WaitAsync(TimeSpan.FromSeconds(20));

        var hpa = cache.Get(HpaUid)!;
        Assert.Equal(new Dictionary<string, string> { ["app"] = "hpa", ["pod-template-hash"] = "6cd8d99884", ["run"] = "php-apache" }, hpa.Labels);
        Assert.Equal(new RequestsAndLimits(0.2, 0.5, null, null), hpa.Resources);   // 200m, 500m

        // Relabelled, and resized in place (spec.containers[].resources, Kubernetes 1.33+).
        var changed = FakeKubeApi.Pod(list, "e2e-hpa-6cd8d99884-tggnr").DeepClone();
        changed["metadata"]!["labels"]!["tier"] = "web";
        changed["spec"]!["containers"]![0]!["resources"] = new JsonObject
        {
            ["requests"] = new JsonObject { ["cpu"] = "250m", ["memory"] = "64Mi" },
            ["limits"] = new JsonObject { ["cpu"] = "1", ["memory"] = "128Mi" },
        };
        stream.Send(FakeKubeApi.Event("MODIFIED", changed, "101"));

        await Eventually.Until(() => cache.Get(HpaUid)!.Labels!.ContainsKey("tier"), "MODIFIED applied", running.Logger.ToString);
        hpa = cache.Get(HpaUid)!;
        Assert.Equal("web", hpa.Labels!["tier"]);
        Assert.Equal(new RequestsAndLimits(0.25, 1, 64 * 1024 * 1024, 128 * 1024 * 1024), hpa.ResourcesOf("php-apache"));
        Assert.Equal(hpa.ResourcesOf("php-apache"), hpa.Resources);
    }

    /// <summary>The list the API server answers after the 410: one pod gone, one restarted.</summary>
    private static JsonObject ListAfterChanges(string resourceVersion)
    {
        var list = FixtureAt(resourceVersion);
        var items = FakeKubeApi.Items(list);
        items.Remove(items.Single(item => (string?)item!["metadata"]!["uid"] == FailJobUid));
        var index = items.IndexOf(items.Single(item => (string?)item!["metadata"]!["uid"] == HpaUid));
        items[index] = HpaAfterRestart(list);
        return list;
    }

    [Fact]
    public async Task An_error_event_410_forces_a_fresh_relist_whose_result_replaces_the_cache()
    {
        using var api = FakeKubeApi.Start();
        api.ServeList(FixtureAt("100"));
        var stream = api.OpenStreamingWatch();
        await using var running = new RunningWatcher(api.Url);
        var cache = running.Cache;
        await stream.Connected.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.NotNull(cache.Get(FailJobUid));

        api.ServeList(ListAfterChanges("200"));
        api.ServeWatch();
        stream.Send(FakeKubeApi.Gone());

        await Eventually.Until(() => cache.Get(FailJobUid) is null, "relisted after the 410", running.Logger.ToString);
        Assert.Equal(23, cache.Count);
        Assert.Equal("php-apache", cache.Get(HpaUid)!.ContainerNamesById[RestartedId]);
        Assert.Equal("e2e-hpa-7f8d9c6b5", cache.Get(HpaUid)!.OwnerName);

        await Eventually.Until(() => api.Requests.Any(r => r.IsWatch && r.Param("resourceVersion") == "200"), "watch from the new list", running.Logger.ToString);
        var lists = api.Requests.Where(r => !r.IsWatch).ToList();
        Assert.Equal(2, lists.Count);
        Assert.Equal("0", lists[0].Param("resourceVersion"));
        Assert.Null(lists[1].Param("resourceVersion"));   // after 410: the newest state, not the cache
        Assert.Equal(1, running.Logger.Count("410 Gone"));
    }

    [Fact]
    public async Task A_410_answer_to_the_watch_request_forces_a_relist()
    {
        using var api = FakeKubeApi.Start();
        api.ServeList(FixtureAt("100"));
        api.RefuseWatch(410, "Expired");
        await using var running = new RunningWatcher(api.Url);
        var cache = running.Cache;

        await Eventually.Until(() => api.Requests.Count(r => !r.IsWatch) >= 2, "a relist after the refused watch", running.Logger.ToString);
        Assert.Equal(24, cache.Count);
        Assert.True(running.Logger.Count("410 Gone") >= 1);
        Assert.Null(api.Requests.Where(r => !r.IsWatch).ElementAt(1).Param("resourceVersion"));

        // Once the server serves a newer list, watching from its version works and the list is in use.
        api.ServeWatchFrom("300");
        api.ServeList(ListAfterChanges("300"));
        await Eventually.Until(() => cache.Get(FailJobUid) is null && cache.Get(HpaUid)!.ContainerNamesById.ContainsKey(RestartedId),
            "the newer list applied", running.Logger.ToString);
        await Eventually.Until(() => api.Requests.Any(r => r.IsWatch && r.Param("resourceVersion") == "300"), "watch from the newer list", running.Logger.ToString);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_back_off_and_a_failing_watch_ends_in_a_relist()
    {
        using var api = FakeKubeApi.Start();
        api.ServeList(FakeKubeApi.Status(500, "InternalError"), status: 500);
        api.ServeWatch();
        await using var running = new RunningWatcher(api.Url);
        var logger = running.Logger;

        await Eventually.Until(() => api.Requests.Count(r => !r.IsWatch) >= 3, "the list retried", logger.ToString);
        Assert.Equal(0, running.Cache.Count);
        Assert.DoesNotContain(api.Requests, r => r.IsWatch);   // no watch without a list
        Assert.Equal(1, logger.Count("Kubernetes API unreachable (HTTP 500", LogLevel.Warning));

        api.ServeList(FixtureAt("100"));
        await Eventually.Until(() => running.Cache.Count == 24, "listed once the server answers", logger.ToString);
        Assert.True(logger.Count("back again") >= 1);

        // A watch that fails with an error the server explains (not 410) is answered with a fresh list.
        var lists = api.Requests.Count(r => !r.IsWatch);
        api.RefuseWatch(403, "Forbidden");
        await Eventually.Until(() => api.Requests.Count(r => !r.IsWatch) > lists, "relisted after the refused watch", logger.ToString);
        Assert.Contains("HTTP 403", logger.ToString(), StringComparison.Ordinal);
        Assert.Equal(24, running.Cache.Count);
    }

    [Fact]
    public async Task While_the_api_server_is_away_metadata_stays_and_updates_flow_again_when_it_is_back()
    {
        var first = FakeKubeApi.Start();
        var port = first.Port;
        var list = FixtureAt("100");
        first.ServeList(list);
        var firstStream = first.OpenStreamingWatch();
        await using var running = new RunningWatcher(first.Url);
        var cache = running.Cache;
        var logger = running.Logger;
        await firstStream.Connected.WaitAsync(TimeSpan.FromSeconds(20));
        firstStream.Send(FakeKubeApi.Bookmark("120"));
        await Eventually.Until(() => running.Watcher.ResourceVersion == "120", "bookmark applied", logger.ToString);

        first.Stop();
        first.Dispose();
        // From here on nothing answers: every attempt fails. Retries are logged quietly, the
        // outage itself once.
        await Eventually.Until(() => logger.Count("Kubernetes API unreachable") >= 1, "the outage noticed", logger.ToString);
        var warnings = logger.Count("Kubernetes API unreachable", LogLevel.Warning);
        var retries = logger.Count("still unreachable");
        await Eventually.Until(() => logger.Count("still unreachable") >= retries + 4, "several failed retries", logger.ToString);

        Assert.Equal(warnings, logger.Count("Kubernetes API unreachable", LogLevel.Warning));
        Assert.True(running.Watcher.ConsecutiveFailures >= 4);
        Assert.Equal(24, cache.Count);
        Assert.Equal("e2e-hpa", cache.Get(HpaUid)!.Deployment);
        Assert.Equal("php-apache", cache.Get(HpaUid)!.ContainerNamesById[HpaContainerId]);
        var backAgain = logger.Count("back again");

        using var second = FakeKubeApi.Start(port);
        second.ServeList(FixtureAt("500"));
        var stream = second.OpenStreamingWatch();
        await stream.Connected.WaitAsync(TimeSpan.FromSeconds(20));
        stream.Send(FakeKubeApi.Event("MODIFIED", HpaAfterRestart(list), "130"));

        await Eventually.Until(() => cache.Get(HpaUid)!.ContainerNamesById.ContainsKey(RestartedId), "an update after the outage", logger.ToString);
        var resumed = second.Requests[0];
        Assert.True(resumed.IsWatch);   // resumed from the last version, no relist needed
        Assert.Equal("120", resumed.Param("resourceVersion"));
        Assert.Equal(backAgain + 1, logger.Count("back again"));
        Assert.Equal(0, running.Watcher.ConsecutiveFailures);
        Assert.Equal(24, cache.Count);
    }
}

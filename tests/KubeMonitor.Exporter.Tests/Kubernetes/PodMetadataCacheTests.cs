using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Kubernetes;

namespace KubeMonitor.Exporter.Tests.Kubernetes;

public sealed class PodMetadataCacheTests
{
    private const string AppId = "77bb57d9a0006a5ac95a6fa541b2f2a646943143fe1d906aaf70a392d9a62b83";
    private const string SidecarId = "1a72454c0e7b4f21d0e58d7c3a1e1e5b6c1f7a9d2b3c4d5e6f708192a3b4c5d6";

    private static PodMetadata Metadata(string uid, string name, params (string Id, string Name)[] containers) =>
        new(name, "ns", uid, "ReplicaSet", name + "-rs", name, containers.ToDictionary(c => c.Id, c => c.Name));

    private static PodSnapshot Pod(string uid, params string[] containerIds) => new()
    {
        Uid = uid,
        QosClass = "burstable",
        Stats = new CgroupStats(),
        Containers = containerIds.Select(id => new ContainerSnapshot { Id = id, Stats = new CgroupStats() }).ToList(),
    };

    private static NodeSnapshot Snapshot(params PodSnapshot[] pods) =>
        new() { NodeName = "node-1", Timestamp = DateTimeOffset.UnixEpoch, Pods = pods };

    [Fact]
    public void Annotate_sets_metadata_and_container_names_of_known_pods_only()
    {
        var cache = new PodMetadataCache();
        var known = Metadata("3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4", "web", (AppId, "app"));
        cache.Set(known.Uid, known);
        var snapshot = Snapshot(
            Pod("3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4", AppId, SidecarId),
            Pod("0961a396-5fff-45fe-a970-19b2aac96e5d", AppId));

        cache.Annotate(snapshot);

        var pods = snapshot.Pods!;
        Assert.Same(known, pods[0].Metadata);
        Assert.Equal("app", pods[0].Containers[0].Name);
        Assert.Null(pods[0].Containers[1].Name);   // not (yet) in the pod status
        Assert.Null(pods[1].Metadata);              // unknown pod: labelled by uid only
        Assert.Null(pods[1].Containers[0].Name);
    }

    [Fact]
    public void Annotate_matches_uids_without_regard_to_case()
    {
        var cache = new PodMetadataCache();
        cache.Set("3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4", Metadata("3ea3ef66-5f89-43b7-b88b-6ee26f5b18a4", "web", (AppId, "app")));
        var snapshot = Snapshot(Pod("3EA3EF66-5F89-43B7-B88B-6EE26F5B18A4", AppId));

        cache.Annotate(snapshot);

        Assert.Equal("web", snapshot.Pods![0].Metadata?.Name);
        Assert.Equal("app", snapshot.Pods![0].Containers[0].Name);
    }

    [Fact]
    public void Annotate_without_pods_does_nothing()
    {
        var cache = new PodMetadataCache();
        cache.Set("u", Metadata("u", "web"));
        var snapshot = new NodeSnapshot { NodeName = "n", Timestamp = DateTimeOffset.UnixEpoch };

        cache.Annotate(snapshot);

        Assert.Null(snapshot.Pods);
    }

    [Fact]
    public void ReplaceAll_forgets_pods_missing_from_the_list_and_Remove_forgets_one()
    {
        var cache = new PodMetadataCache();
        cache.Set("a", Metadata("a", "a"));
        cache.Set("b", Metadata("b", "b"));

        cache.ReplaceAll([new("b", Metadata("b", "b2")), new("c", Metadata("c", "c"))]);

        Assert.Null(cache.Get("a"));
        Assert.Equal("b2", cache.Get("b")!.Name);
        Assert.Equal(2, cache.Count);

        cache.Remove("b");
        Assert.Null(cache.Get("b"));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task Readers_see_whole_lists_while_a_writer_replaces_them()
    {
        // Each list holds 50 pods of one generation; a reader must never see a mix or a partial list.
        var cache = new PodMetadataCache();
        var uids = Enumerable.Range(0, 50).Select(i => $"uid-{i}").ToArray();
        var snapshotPods = uids.Select(uid => Pod(uid)).ToArray();
        using var stop = new CancellationTokenSource();

        var writer = Task.Run(() =>
        {
            for (var generation = 0; generation < 2000; generation++)
            {
                var name = $"gen-{generation}";
                cache.ReplaceAll(uids.Select(uid => new KeyValuePair<string, PodMetadata>(uid, Metadata(uid, name))));
            }
            stop.Cancel();
        });
        var reads = 0;
        while (!stop.IsCancellationRequested || reads == 0)
        {
            var snapshot = Snapshot(snapshotPods.Select(p => Pod(p.Uid)).ToArray());
            cache.Annotate(snapshot);
            var names = snapshot.Pods!.Select(p => p.Metadata?.Name).Distinct().ToList();
            Assert.Single(names);
            reads++;
        }
        await writer;
        Assert.Equal("gen-1999", cache.Get("uid-0")!.Name);
    }
}

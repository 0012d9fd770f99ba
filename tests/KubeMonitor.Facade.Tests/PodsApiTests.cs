using System.Text.Json.Nodes;
using KubeMonitor.Facade.Tests.Prometheus;

namespace KubeMonitor.Facade.Tests;

/// <summary>The pod endpoints over either query source (the sealed classes below): the same pushes give the same answers.</summary>
public abstract class PodsApiTests(Func<Dictionary<string, string?>?, FacadeFactory> newFacade) : IDisposable
{
    protected FacadeFactory Facade { get; } = newFacade(null);

    public void Dispose()
    {
        Facade.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Two batches (t = 0 and 10) from two nodes; "web-7c9f8d6b5-aaaaa" exists in "shop" and "other".</summary>
    protected async Task PushTwoBatchesAsync()
    {
        for (var i = 0; i < 2; i++)
        {
            double t = i * 10;
            Facade.SetTime(t);
            await Facade.PushAsync("/api/nodes/node-1/batch", new
            {
                timestamp = FacadeFactory.At(t),
                node = Bodies.Node(t, 100 + t),
                pods = new[]
                {
                    Bodies.Pod(t, "shop", 10 + i * 10, 100 + i * 50, 200 + i * 100, name: "web-7c9f8d6b5-aaaaa",
                        ownerKind: "ReplicaSet", ownerName: "web-7c9f8d6b5", rx: i * 1000, tx: i * 500,
                        containers: [Bodies.Container("app", 9 + i * 5, 90), Bodies.Container("sidecar", 1, 10 + i)]),
                    Bodies.Pod(t, "shop", 0 + i * 30, 1000, 1000, name: "api-0", ownerKind: "StatefulSet", ownerName: "api"),
                },
            });
            await Facade.PushAsync("/api/nodes/node-2/batch", new
            {
                pods = new[]
                {
                    // Timestamps of its own: no batch timestamp, node-2 sends only pods.
                    Bodies.Pod(t, "other", 5 + i * 5, 50, 80, name: "web-7c9f8d6b5-aaaaa", node: "ignored-the-path-wins", deployment: "web"),
                },
            });
        }
    }

    [Fact]
    public async Task Pod_view_has_identity_rates_gauges_and_containers()
    {
        await PushTwoBatchesAsync();
        var pod = await Facade.GetJsonAsync("/api/pods/web-7c9f8d6b5-aaaaa?namespace=shop");

        Assert.Equal("web-7c9f8d6b5-aaaaa", (string?)pod["name"]);
        Assert.Equal("shop", (string?)pod["namespace"]);
        Assert.Equal("node-1", (string?)pod["node"]);
        Assert.Equal("4b1c8f57-3c52-4a5e-9a7e-2f3d1c0b9a11", (string?)pod["uid"]);
        Assert.Equal("web", (string?)pod["deployment"]); // from the ReplicaSet owner's name
        Assert.Equal("2026-11-26T07:00:10Z", (string?)pod["timestamp"]);
        Assert.Equal(1.0, (double)pod["cpu"]!["usageCores"]!, 12);
        Assert.Equal(20.0, (double)pod["cpu"]!["usageSecondsTotal"]!);
        Assert.Equal(150.0, (double)pod["memory"]!["workingSetBytes"]!);
        Assert.Equal(300.0, (double)pod["memory"]!["usageBytes"]!);
        Assert.Equal(100.0, (double)pod["network"]!["rxBytesPerSecond"]!, 12);
        Assert.Equal(50.0, (double)pod["network"]!["txBytesPerSecond"]!, 12);
        Assert.Null(pod["disk"]!["readBytesPerSecond"]);

        var containers = pod["containers"]!.AsArray();
        Assert.Equal(["app", "sidecar"], containers.Select(c => (string?)c!["name"]));
        Assert.Equal(0.5, (double)containers[0]!["cpu"]!["usageCores"]!, 12);
        Assert.Equal(0.0, (double)containers[1]!["cpu"]!["usageCores"]!);
        Assert.Equal(11.0, (double)containers[1]!["memory"]!["workingSetBytes"]!);

        var statefulSet = await Facade.GetJsonAsync("/api/pods/api-0");
        Assert.Null(statefulSet["deployment"]);
        Assert.Equal(3.0, (double)statefulSet["cpu"]!["usageCores"]!, 12);
    }

    [Fact]
    public async Task A_batch_pod_takes_the_paths_node_and_the_samples_own_timestamp()
    {
        await PushTwoBatchesAsync();
        var pod = await Facade.GetJsonAsync("/api/pods/web-7c9f8d6b5-aaaaa?namespace=other");
        Assert.Equal("node-2", (string?)pod["node"]);
        Assert.Equal("web", (string?)pod["deployment"]);
        Assert.Equal(0.5, (double)pod["cpu"]!["usageCores"]!, 12);
        await Facade.GetProblemAsync("/api/nodes/node-2", 404); // a batch without node stores no node
    }

    [Fact]
    public async Task Ambiguous_pod_name_is_a_409_listing_the_namespaces()
    {
        await PushTwoBatchesAsync();
        var problem = await Facade.GetProblemAsync("/api/pods/web-7c9f8d6b5-aaaaa", 409);
        Assert.Equal(["other", "shop"], problem["namespaces"]!.AsArray().Select(n => (string?)n));
        await Facade.GetProblemAsync("/api/pods/web-7c9f8d6b5-aaaaa?window=60", 409);
    }

    [Fact]
    public async Task Unknown_pods_are_404()
    {
        await PushTwoBatchesAsync();
        await Facade.GetProblemAsync("/api/pods/nope", 404);
        await Facade.GetProblemAsync("/api/pods/api-0?namespace=other", 404);
    }

    [Fact]
    public async Task List_filters_by_namespace_and_node()
    {
        await PushTwoBatchesAsync();
        static IEnumerable<string> Names(JsonNode list) =>
            list["items"]!.AsArray().Select(p => $"{(string?)p!["namespace"]}/{(string?)p["name"]}");

        Assert.Equal(["other/web-7c9f8d6b5-aaaaa", "shop/api-0", "shop/web-7c9f8d6b5-aaaaa"], Names(await Facade.GetJsonAsync("/api/pods")));
        Assert.Equal(["shop/api-0", "shop/web-7c9f8d6b5-aaaaa"], Names(await Facade.GetJsonAsync("/api/pods?namespace=shop")));
        Assert.Equal(["other/web-7c9f8d6b5-aaaaa"], Names(await Facade.GetJsonAsync("/api/pods?node=node-2")));
        Assert.Empty(Names(await Facade.GetJsonAsync("/api/pods?namespace=other&node=node-1")));
    }

    [Fact]
    public async Task Pod_series_has_points_with_containers_and_a_summary()
    {
        await PushTwoBatchesAsync();
        Facade.SetTime(12);
        var series = await Facade.GetJsonAsync("/api/pods/web-7c9f8d6b5-aaaaa?namespace=shop&window=5&step=1"); // [7, 12]

        Assert.Equal("shop", (string?)series["namespace"]);
        Assert.Equal("web", (string?)series["deployment"]);
        Assert.Equal(5, (int)series["windowSeconds"]!);
        Assert.Equal(1, (int)series["stepSeconds"]!);
        var point = series["points"]!.AsArray().Single()!;
        Assert.Equal("2026-11-26T07:00:10Z", (string?)point["timestamp"]);
        Assert.Equal(1.0, (double)point["cpu"]!["usageCores"]!, 12); // from the sample at 0, before the window
        Assert.Equal(0.5, (double)point["containers"]![0]!["cpu"]!["usageCores"]!, 12);
        Assert.Equal(150.0, (double)series["summary"]!["memory"]!["workingSetBytes"]!["max"]!);
        Assert.Null(series["summary"]!["disk"]!["readBytesPerSecond"]);

        var whole = await Facade.GetJsonAsync("/api/pods/web-7c9f8d6b5-aaaaa?namespace=shop&window=60");
        var ws = whole["summary"]!["memory"]!["workingSetBytes"]!;
        Assert.Equal([100.0, 125.0, 150.0], new[] { (double)ws["min"]!, (double)ws["avg"]!, (double)ws["max"]! });
    }

    [Fact]
    public async Task A_pod_without_a_timestamp_takes_the_receive_time()
    {
        Facade.SetTime(42.5);
        await Facade.PushAsync("/api/pods/lonely", new { @namespace = "shop", memory = new { workingSetBytes = 1 } });
        var pod = await Facade.GetJsonAsync("/api/pods/lonely");
        Assert.Equal("2026-11-26T07:00:42.5Z", (string?)pod["timestamp"]);
        Assert.Null(pod["node"]);
        Assert.Empty(pod["containers"]!.AsArray());
    }

    [Fact]
    public async Task A_stale_pod_and_its_containers_leave()
    {
        await PushTwoBatchesAsync();
        Facade.SetTime(400);
        Assert.Empty((await Facade.GetJsonAsync("/api/pods"))["items"]!.AsArray());
        Assert.Empty((await Facade.GetJsonAsync("/api/namespaces"))["items"]!.AsArray());
        await Facade.GetProblemAsync("/api/pods/api-0", 404);
    }

    [Fact]
    public async Task A_namesake_that_goes_stale_no_longer_makes_the_name_ambiguous()
    {
        await Facade.PushAsync("/api/pods/dup", Bodies.Pod(0, "a", 1));
        await Facade.PushAsync("/api/pods/dup", Bodies.Pod(0, "b", 1));
        await Facade.GetProblemAsync("/api/pods/dup", 409);
        Facade.SetTime(200);
        await Facade.PushAsync("/api/pods/dup", Bodies.Pod(200, "b", 2));
        Facade.SetTime(320); // a's newest is 320 s old: stale, and swept at 310 and 320
        Assert.Equal("b", (string?)(await Facade.GetJsonAsync("/api/pods/dup"))["namespace"]);
        await Facade.PushAsync("/api/pods/dup", Bodies.Pod(320, "a", 1)); // back again: a new series
        await Facade.GetProblemAsync("/api/pods/dup", 409);
    }
}

/// <summary>The embedded store's own part: what it frees.</summary>
public sealed class PodsApiOnMemoryTests() : PodsApiTests(settings => new FacadeFactory(settings))
{
    [Fact]
    public async Task A_stale_pod_and_its_containers_are_freed()
    {
        await PushTwoBatchesAsync();
        Assert.Equal(6L, Facade.Store.SeriesCount); // node-1, 3 pods, 2 containers
        Facade.SetTime(400);
        Assert.Equal(0L, Facade.Store.SeriesCount);
    }
}

public sealed class PodsApiOnPrometheusTests() : PodsApiTests(settings => new PrometheusFacadeFactory(settings));

/// <summary>A pod's latest view lists the containers of its newest sample only, each with its own rate (over either source).</summary>
public abstract class PodLatestContainersTests(Func<Dictionary<string, string?>?, FacadeFactory> newFacade) : IDisposable
{
    private readonly FacadeFactory _facade = newFacade(null);

    public void Dispose()
    {
        _facade.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Latest_view_has_the_containers_of_the_newest_sample_with_their_own_rates()
    {
        // t=0: app and old; t=10: app and new (old left the pod, new just started).
        object[][] containers =
        [
            [Bodies.Container("old", 1, 10), Bodies.Container("app", 2, 20)],
            [Bodies.Container("app", 7, 25), Bodies.Container("new", 3, 30)],
        ];
        for (var i = 0; i < 2; i++)
        {
            double t = i * 10;
            _facade.SetTime(t);
            await _facade.PushAsync("/api/nodes/node-1/batch", new
            {
                timestamp = FacadeFactory.At(t),
                pods = new[] { Bodies.Pod(t, "shop", 10 + 20 * i, name: "web-1", containers: containers[i]) },
            });
        }

        var pod = await _facade.GetJsonAsync("/api/pods/web-1?namespace=shop");
        var views = pod["containers"]!.AsArray();
        Assert.Equal(["app", "new"], views.Select(c => (string?)c!["name"]));
        Assert.Equal(0.5, (double)views[0]!["cpu"]!["usageCores"]!, 12);
        Assert.Equal(7.0, (double)views[0]!["cpu"]!["usageSecondsTotal"]!);
        Assert.Equal(25.0, (double)views[0]!["memory"]!["workingSetBytes"]!);
        Assert.Null(views[1]!["cpu"]!["usageCores"]); // one sample: no rate yet
        Assert.Equal(2.0, (double)pod["cpu"]!["usageCores"]!, 12);

        var list = await _facade.GetJsonAsync("/api/pods");
        Assert.Equal(pod.ToJsonString(), list["items"]![0]!.ToJsonString());
    }
}

public sealed class PodLatestContainersOnMemoryTests() : PodLatestContainersTests(settings => new FacadeFactory(settings));

public sealed class PodLatestContainersOnPrometheusTests() : PodLatestContainersTests(settings => new PrometheusFacadeFactory(settings));

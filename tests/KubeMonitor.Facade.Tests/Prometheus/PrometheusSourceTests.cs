using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>
/// The source against a real Prometheus 2.42 holding the exporter's series (written by remote
/// write, kept apart by a test_case label that the source's Selector picks): rows, identities,
/// liveness, order, paging, the base row before a window, devices summed, lo left out.
/// </summary>
public sealed class PrometheusSourceTests
{
    // Before the times other tests write at (2026-11-26T07:00Z on): samples older than the newest
    // Prometheus holds take its out-of-order path, which a test of refused duplicates must not meet.
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    private readonly string _testCase = Guid.NewGuid().ToString();
    private readonly List<MetricSample> _samples = [];

    private static readonly int NodeCpu = NodeFields.CpuSecondsTotal;
    private static readonly int NodeDiskRead = NodeFields.Table.Column("disk.readBytesTotal");
    private static readonly int NodeRx = NodeFields.Table.Column("network.rxBytesTotal");
    private static readonly int NodeTx = NodeFields.Table.Column("network.txBytesTotal");
    private static readonly int PodCpu = PodFields.Table.Column("cpu.usageSecondsTotal");
    private static readonly int PodWorkingSet = PodFields.Table.Column("memory.workingSetBytes");
    private static readonly int ContainerCpu = ContainerFields.Table.Column("cpu.usageSecondsTotal");

    [Fact]
    public async Task Nodes_are_live_ordered_and_sum_their_disks_and_interfaces_but_lo()
    {
        foreach (var (second, step) in new[] { (0, 0), (5, 1), (10, 2) })
        {
            Node("node-b", second, cpu: 100 + step, disks: [1000 + step, 10 + step], interfaces: [("eth0", 500 + step), ("eth1", 7), ("lo", 1e12 + step)]);
        }
        Node("node-a", 10, cpu: 50, disks: [1], interfaces: [("eth0", 2)]);
        // Last seen 6 minutes before now: past the 5 minutes of staleness.
        Node("node-gone", -350, cpu: 1, disks: [1], interfaces: [("eth0", 1)]);
        await WriteAsync();
        using var host = Host();
        var now = Ms(12);

        var nodes = await host.Source.NodesAsync(now, LatestRows.PreviousRow, CancellationToken.None);

        Assert.Equal(["node-a", "node-b"], nodes.Select(n => n.Name));
        var b = nodes[1].Rows;
        Assert.Equal((Ms(10), Ms(5)), (b.TimestampMs, b.PreviousMs));
        Assert.Equal([102.0, 1002.0 + 12.0, 502.0 + 7.0, 502.0 + 7.0], [b.Values[NodeCpu], b.Values[NodeDiskRead], b.Values[NodeRx], b.Values[NodeTx]]);
        Assert.Equal(101.0, b.Previous![NodeCpu]);
        Assert.Null(await host.Source.NodeAsync("node-gone", now, LatestRows.PreviousRow, CancellationToken.None));
        Assert.Equal(Ms(10), (await host.Source.NodeAsync("node-a", now, LatestRows.PreviousRow, CancellationToken.None))!.Rows.TimestampMs);
        // The gone node is live again at a time when its sample is recent.
        Assert.NotNull(await host.Source.NodeAsync("node-gone", Ms(-300), LatestRows.PreviousRow, CancellationToken.None));
    }

    [Fact]
    public async Task A_nodes_window_has_its_rows_and_the_one_before_it_and_nothing_for_a_node_that_is_not_live()
    {
        for (var second = 0; second <= 30; second += 5) Node("node-1", second, cpu: second, disks: [second * 2], interfaces: [("eth0", second * 3)]);
        await WriteAsync();
        using var host = Host();

        var rows = await host.Source.NodeRowsAsync("node-1", Ms(12), Ms(31), CancellationToken.None);

        Assert.NotNull(rows);
        Assert.Equal([Ms(10), Ms(15), Ms(20), Ms(25), Ms(30)], rows.Timestamps);
        Assert.Equal([10.0, 15, 20, 25, 30], Enumerable.Range(0, rows.Count).Select(i => rows.Row(i)[NodeCpu]));
        Assert.Equal(60.0, rows.Row(4)[NodeDiskRead]);
        // Six minutes after its last sample the node is gone, window or not.
        Assert.Null(await host.Source.NodeRowsAsync("node-1", Ms(300), Ms(391), CancellationToken.None));
    }

    [Fact]
    public async Task Pods_carry_their_pod_info_identity_and_latest_containers_in_namespace_then_name_order()
    {
        WritePods();
        await WriteAsync();
        using var host = Host();
        var now = Ms(12);

        var pods = (await host.Source.PodsAsync(new PodSelector(), now, LatestRows.PreviousRow, CancellationToken.None)).ToList();

        Assert.Equal(["a/db-0", "a/web-1", "b/web-1"], pods.Select(p => $"{p.Pod.Namespace}/{p.Pod.Name}"));
        var web = pods[1];
        Assert.Equal(new PodIdentity("a", "web-1", "node-1", "uid-1", "ReplicaSet", "web-7f9c", "web"), web.Pod);
        Assert.Equal((Ms(10), Ms(5)), (web.Rows.TimestampMs, web.Rows.PreviousMs));
        Assert.Equal((3.0, 300.0), (web.Rows.Values[PodCpu], web.Rows.Values[PodWorkingSet]));
        // The sidecar is not in the newest sample any more.
        Assert.Equal("app", Assert.Single(web.Containers).Name);
        Assert.Equal(3 + 0.3, web.Containers[0].Rows.Values[ContainerCpu]);
        // Without pod_info: still listed, its node from its own series.
        Assert.Equal(new PodIdentity("a", "db-0", "node-2", null, null, null, null), pods[0].Pod);
        Assert.Empty(pods[0].Containers);

        Assert.Equal(["a/db-0", "a/web-1"], Names(await host.Source.PodsAsync(new PodSelector(Namespace: "a"), now, LatestRows.PreviousRow, CancellationToken.None)));
        Assert.Equal(["a/db-0", "b/web-1"], Names(await host.Source.PodsAsync(new PodSelector(Node: "node-2"), now, LatestRows.PreviousRow, CancellationToken.None)));
        Assert.Equal(["a/web-1", "b/web-1"], Names(await host.Source.PodsAsync(new PodSelector(Name: "web-1"), now, LatestRows.PreviousRow, CancellationToken.None)));
        // Six minutes on, only the pod written then is live.
        Assert.Equal(["a/late"], Names(await host.Source.PodsAsync(new PodSelector(), Ms(370), LatestRows.PreviousRow, CancellationToken.None)));
    }

    [Fact]
    public async Task A_pods_window_has_its_rows_from_the_one_before_it_and_its_latest_containers_rows()
    {
        WritePods();
        await WriteAsync();
        using var host = Host();

        var rows = await host.Source.PodRowsAsync(new PodKey("a", "web-1"), Ms(3), Ms(12), CancellationToken.None);

        Assert.NotNull(rows);
        Assert.Equal([Ms(0), Ms(5), Ms(10)], rows.Rows.Timestamps);
        Assert.Equal([1.0, 2, 3], Enumerable.Range(0, 3).Select(i => rows.Rows.Row(i)[PodCpu]));
        Assert.Equal("app", Assert.Single(rows.Containers).Name);
        Assert.Equal([Ms(0), Ms(5), Ms(10)], rows.Containers[0].Rows.Timestamps);
        Assert.Equal(Ms(10), rows.Latest.Rows.TimestampMs);
        Assert.Null(await host.Source.PodRowsAsync(new PodKey("a", "web-1"), Ms(300), Ms(400), CancellationToken.None));
        Assert.Null(await host.Source.PodRowsAsync(new PodKey("a", "nope"), Ms(3), Ms(12), CancellationToken.None));
    }

    [Fact]
    public async Task Pod_rows_are_handed_to_the_sink_only_for_pods_kept_by_identity()
    {
        WritePods();
        await WriteAsync();
        using var host = Host();
        var seen = new List<PodIdentity>();
        var sink = new CollectingSink();

        var handed = await host.Source.ReadPodRowsAsync(new PodSelector(Namespace: "a"), pod =>
        {
            seen.Add(pod);
            return pod.Deployment == "web";
        }, Ms(6), Ms(12), () => sink, CancellationToken.None);

        Assert.Equal(1, handed);
        Assert.Equal(["db-0", "web-1"], seen.Select(p => p.Name).Order(StringComparer.Ordinal));
        var (timestamps, values) = Assert.Single(sink.Pods);
        Assert.Equal([Ms(5), Ms(10)], timestamps);
        Assert.Equal([2.0, 3.0], [values[PodCpu], values[PodFields.Count + PodCpu]]);
    }

    [Fact]
    public async Task A_rollups_pods_keep_a_base_row_older_than_the_short_lookback_and_a_pod_new_in_the_window_has_none()
    {
        // Window (20 s, 200 s]: the short lookback reaches back to -100 s, the staleness limit to -280 s.
        for (var second = 0; second <= 200; second += 10) Pod("r", "steady", "node-1", second, cpu: second, workingSet: 1, info: true);
        foreach (var second in new[] { -150, 60, 120 }) Pod("r", "sparse", "node-1", second, cpu: 1000 + second, workingSet: 1, info: true);
        foreach (var second in new[] { 50, 100 }) Pod("r", "new", "node-1", second, cpu: 5000 + second, workingSet: 1, info: true);
        await WriteAsync();
        using var host = Host();
        var sink = new CollectingSink();

        var handed = await host.Source.ReadPodRowsAsync(new PodSelector(Namespace: "r"), _ => true, Ms(20), Ms(200), () => sink, CancellationToken.None);

        Assert.Equal(3, handed);
        long[] TimestampsOf(double firstCpu) => sink.Pods.Single(p => p.Values[PodCpu] == firstCpu).Timestamps;
        Assert.Equal([Ms(10), .. Enumerable.Range(2, 19).Select(i => Ms(i * 10))], TimestampsOf(10));
        Assert.Equal([Ms(-150), Ms(60), Ms(120)], TimestampsOf(1000 - 150));
        Assert.Equal([Ms(50), Ms(100)], TimestampsOf(5050));
    }

    [Fact]
    public async Task Pages_follow_the_list_order_without_gaps_or_repeats()
    {
        var expected = new List<string>();
        foreach (var ns in new[] { "ns-a", "ns-b", "ns-c" })
        {
            for (var i = 0; i < 9; i++)
            {
                var name = $"pod-{i:00}";
                Pod(ns, name, "node-1", 10, cpu: i, workingSet: 1, info: true);
                expected.Add($"{ns}/{name}");
            }
        }
        await WriteAsync();
        using var host = Host();

        var listed = new List<string>();
        PodKey? after = null;
        for (var page = 0; page < 10; page++)
        {
            var items = await host.Source.PodsPageAsync(new PodSelector(), Ms(12), after, 7, CancellationToken.None);
            listed.AddRange(Names(items.Items));
            if (!items.More) break;
            Assert.Equal(7, items.Items.Count);
            after = items.Items[^1].Pod.Key;
        }

        Assert.Equal(expected, listed);
        Assert.Equal(expected, Names(await host.Source.PodsAsync(new PodSelector(), Ms(12), LatestRows.PreviousRow, CancellationToken.None)));
    }

    /// <summary>
    /// a/web-1 (pod_info, containers app + sidecar, sidecar gone in the newest), a/db-0 (no pod_info),
    /// b/web-1 (same name, another namespace, node-2), a/old (stale), a/late (six minutes on).
    /// </summary>
    private void WritePods()
    {
        foreach (var (second, step) in new[] { (0, 1), (5, 2), (10, 3) })
        {
            Pod("a", "web-1", "node-1", second, cpu: step, workingSet: step * 100, info: true, containers: second < 10 ? ["app", "sidecar"] : ["app"]);
            Pod("a", "db-0", "node-2", second, cpu: step * 10, workingSet: 1, info: false);
            Pod("b", "web-1", "node-2", second, cpu: step, workingSet: 1, info: true);
        }
        Pod("a", "old", "node-1", -400, cpu: 1, workingSet: 1, info: true);
        Pod("a", "late", "node-1", 360, cpu: 1, workingSet: 1, info: true);
    }

    private void Node(string node, int second, double cpu, double[] disks, (string Name, double Bytes)[] interfaces)
    {
        Add("kubemonitor_node_cpu_usage_seconds_total", cpu, second, ("node", node));
        Add("kubemonitor_node_cpu_capacity_cores", 4, second, ("node", node));
        for (var i = 0; i < disks.Length; i++) Add("kubemonitor_node_disk_read_bytes_total", disks[i], second, ("node", node), ("device", $"sd{(char)('a' + i)}"));
        foreach (var (name, bytes) in interfaces)
        {
            Add("kubemonitor_node_network_receive_bytes_total", bytes, second, ("node", node), ("interface", name));
            Add("kubemonitor_node_network_transmit_bytes_total", bytes, second, ("node", node), ("interface", name));
        }
    }

    private void Pod(string ns, string pod, string node, int second, double cpu, double workingSet, bool info, string[]? containers = null)
    {
        if (info)
        {
            Add("kubemonitor_pod_info", 1, second, ("namespace", ns), ("pod", pod), ("node", node), ("uid", "uid-1"),
                ("owner_kind", "ReplicaSet"), ("owner_name", "web-7f9c"), ("deployment", "web"));
        }
        Add("kubemonitor_pod_cpu_usage_seconds_total", cpu, second, ("namespace", ns), ("pod", pod), ("node", node));
        Add("kubemonitor_pod_memory_working_set_bytes", workingSet, second, ("namespace", ns), ("pod", pod), ("node", node));
        foreach (var container in containers ?? [])
        {
            Add("kubemonitor_container_cpu_usage_seconds_total", cpu + (container == "app" ? 0.3 : 0.1), second,
                ("namespace", ns), ("pod", pod), ("node", node), ("container", container));
        }
    }

    private void Add(string name, double value, int second, params (string Name, string Value)[] labels)
    {
        var set = labels.ToDictionary(l => l.Name, l => l.Value, StringComparer.Ordinal);
        set["test_case"] = _testCase;
        _samples.Add(new MetricSample(name, set, value, Ms(second)));
    }

    private async Task WriteAsync()
    {
        var prometheus = await PrometheusServer.SharedAsync();
        // Oldest first, one write per time, as scrapes would come.
        foreach (var scrape in _samples.GroupBy(s => s.TimestampMs).OrderBy(g => g.Key)) await prometheus.WriteAsync(scrape);
    }

    private SourceHost Host()
    {
        var url = PrometheusServer.SharedAsync().Result.Url;
        return new SourceHost(new Dictionary<string, string?>
        {
            ["Facade:Prometheus:Url"] = url.ToString(),
            ["Facade:Prometheus:Selector"] = $"test_case=\"{_testCase}\"",
        });
    }

    private static long Ms(int second) => T0.AddSeconds(second).ToUnixTimeMilliseconds();

    private static List<string> Names(IEnumerable<PodLatest> pods) => [.. pods.Select(p => $"{p.Pod.Namespace}/{p.Pod.Name}")];

    private sealed class CollectingSink : IPodRowsSink
    {
        public List<(long[] Timestamps, double[] Values)> Pods { get; } = [];

        public void Add(ReadOnlySpan<long> timestamps, ReadOnlySpan<double> values) => Pods.Add((timestamps.ToArray(), values.ToArray()));
    }
}

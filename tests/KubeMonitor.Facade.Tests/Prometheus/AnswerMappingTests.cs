using System.Text;
using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Sources.Prometheus;

namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>Series of an answer into rows: grouped by entity, summed over devices, joined by timestamp, in field-table columns.</summary>
public sealed class AnswerMappingTests
{
    private static readonly int DiskRead = NodeFields.Table.Column("disk.readBytesTotal");
    private static readonly int NetworkRx = NodeFields.Table.Column("network.rxBytesTotal");
    private static readonly int NodeCpu = NodeFields.CpuSecondsTotal;
    private static readonly int PodCpu = PodFields.Table.Column("cpu.usageSecondsTotal");
    private static readonly int PodWorkingSet = PodFields.Table.Column("memory.workingSetBytes");
    private static readonly int ContainerCpu = ContainerFields.Table.Column("cpu.usageSecondsTotal");

    [Fact]
    public async Task A_nodes_disks_are_summed_per_timestamp_and_loopback_is_left_out()
    {
        var answer = new NodeAnswer(lastTwo: false);
        await FeedAsync(answer.Add, NodeAnswer.Labels,
            Series("kubemonitor_node_disk_read_bytes_total", "node=n1,device=sda", (10, 100), (20, 150)),
            Series("kubemonitor_node_disk_read_bytes_total", "node=n1,device=sdb", (10, 1), (20, 2)),
            Series("kubemonitor_node_network_receive_bytes_total", "node=n1,interface=eth0", (10, 1000), (20, 2000)),
            Series("kubemonitor_node_network_receive_bytes_total", "node=n1,interface=eth1", (10, 5), (20, 7)),
            Series("kubemonitor_node_network_receive_bytes_total", "node=n1,interface=lo", (10, 1e12), (20, 2e12)),
            Series("kubemonitor_node_cpu_usage_seconds_total", "node=n1", (20, 33)),
            Series("kubemonitor_node_cpu_usage_seconds_total", "node=n2", (10, 9)),
            Series("some_other_metric", "node=n1", (10, 1)));

        var rows = answer.Nodes["n1"].From(0);
        Assert.Equal([10_000L, 20_000L], rows.Timestamps);
        Assert.Equal([101.0, 152.0], [rows.Row(0)[DiskRead], rows.Row(1)[DiskRead]]);
        Assert.Equal([1005.0, 2007.0], [rows.Row(0)[NetworkRx], rows.Row(1)[NetworkRx]]);
        // A metric with no sample at a time is NaN in that row, not 0.
        Assert.True(double.IsNaN(rows.Row(0)[NodeCpu]));
        Assert.Equal(33, rows.Row(1)[NodeCpu]);
        Assert.Equal(["n1", "n2"], answer.Nodes.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_window_starts_with_the_last_row_before_it_and_a_latest_view_has_the_row_before_the_newest()
    {
        var rows = new RowSet(PodFields.Count);
        rows.Add(PodCpu, [1_000, 2_000, 3_000, 4_000], [1, 2, 3, 4]);

        var window = rows.From(2_500);
        Assert.Equal([2_000L, 3_000, 4_000], window.Timestamps);
        Assert.Equal([1_000L, 2_000, 3_000, 4_000], rows.From(0).Timestamps);
        Assert.Equal([4_000L], rows.From(4_001).Timestamps);

        var latest = rows.Latest();
        Assert.Equal((4_000L, 4.0, 3_000L, 3.0), (latest.TimestampMs, latest.Values[PodCpu], latest.PreviousMs, latest.Previous![PodCpu]));

        var single = new RowSet(PodFields.Count);
        single.Add(PodCpu, [7_000], [7]);
        Assert.Equal((7_000L, 0L, (double[]?)null), (single.Latest().TimestampMs, single.Latest().PreviousMs, single.Latest().Previous));
    }

    [Fact]
    public void A_window_from_a_row_time_keeps_the_row_before_it_as_its_base()
    {
        var rows = new RowSet(PodFields.Count);
        rows.Add(PodCpu, [1_000, 2_000, 3_000], [1, 2, 3]);

        Assert.Equal([1_000L, 2_000, 3_000], rows.From(2_000).Timestamps);
    }

    [Fact]
    public async Task A_pod_takes_its_identity_from_its_newest_pod_info_and_its_containers_from_its_newest_row()
    {
        var answer = new PodAnswer(lastTwo: false);
        await FeedAsync(answer.Add, PodAnswer.Labels,
            // The pod moved: its older pod_info names node-a, its newer one node-b.
            Series("kubemonitor_pod_info", "namespace=ns,pod=web-1,node=node-a,uid=u-old,owner_kind=ReplicaSet,owner_name=web-5d9,deployment=web", (10, 1)),
            Series("kubemonitor_pod_info", "namespace=ns,pod=web-1,node=node-b,uid=u-new,owner_kind=ReplicaSet,owner_name=web-5d9,deployment=", (20, 1), (30, 1)),
            Series("kubemonitor_pod_cpu_usage_seconds_total", "namespace=ns,pod=web-1,node=node-b", (10, 1), (20, 2), (30, 3)),
            Series("kubemonitor_pod_memory_working_set_bytes", "namespace=ns,pod=web-1,node=node-b", (20, 500), (30, 600)),
            Series("kubemonitor_container_cpu_usage_seconds_total", "namespace=ns,pod=web-1,container=zeta,node=node-b", (20, 0.5), (30, 0.7)),
            Series("kubemonitor_container_cpu_usage_seconds_total", "namespace=ns,pod=web-1,container=app,node=node-b", (20, 1.5), (30, 1.7)),
            // A container gone before the pod's newest row is not in its views.
            Series("kubemonitor_container_cpu_usage_seconds_total", "namespace=ns,pod=web-1,container=init,node=node-b", (10, 0.1), (20, 0.2)),
            // Another pod without pod_info: identity from its own series' node label.
            Series("kubemonitor_pod_cpu_usage_seconds_total", "namespace=ns,pod=lone,node=node-c", (30, 9)));

        var web = answer.Pods[new PodKey("ns", "web-1")];
        Assert.Equal(new PodIdentity("ns", "web-1", "node-b", "u-new", "ReplicaSet", "web-5d9", null), web.Identity);
        var latest = web.Latest();
        Assert.Equal((30_000L, 3.0, 600.0, 20_000L), (latest.Rows.TimestampMs, latest.Rows.Values[PodCpu], latest.Rows.Values[PodWorkingSet], latest.Rows.PreviousMs));
        Assert.Equal(["app", "zeta"], latest.Containers.Select(c => c.Name));
        Assert.Equal(1.7, latest.Containers[0].Rows.Values[ContainerCpu]);

        var window = web.Window(20_000);
        Assert.Equal([10_000L, 20_000, 30_000], window.Rows.Timestamps);
        Assert.True(double.IsNaN(window.Rows.Row(0)[PodWorkingSet]));
        Assert.Equal(["app", "zeta"], window.Containers.Select(c => c.Name));
        Assert.Equal([20_000L, 30_000], window.Containers[1].Rows.Timestamps);

        Assert.Equal(new PodIdentity("ns", "lone", "node-c", null, null, null, null), answer.Pods[new PodKey("ns", "lone")].Identity);
    }

    [Fact]
    public async Task Keeping_the_last_two_samples_of_each_series_gives_the_same_latest_rows_as_keeping_all()
    {
        string[] answer =
        [
            Series("kubemonitor_pod_cpu_usage_seconds_total", "namespace=ns,pod=p", (10, 1), (20, 2), (30, 3), (40, 4)),
            // Stopped early: its last two samples are older than the pod's two newest rows.
            Series("kubemonitor_pod_memory_working_set_bytes", "namespace=ns,pod=p", (10, 100), (20, 200)),
            Series("kubemonitor_pod_memory_usage_bytes", "namespace=ns,pod=p", (30, 7), (40, 8)),
        ];
        var full = new PodAnswer(lastTwo: false);
        var lastTwo = new PodAnswer(lastTwo: true);
        await FeedAsync(full.Add, PodAnswer.Labels, answer);
        await FeedAsync(lastTwo.Add, PodAnswer.Labels, answer);

        var expected = full.Pods[new PodKey("ns", "p")].Latest().Rows;
        var actual = lastTwo.Pods[new PodKey("ns", "p")].Latest().Rows;
        Assert.Equal((expected.TimestampMs, expected.PreviousMs), (actual.TimestampMs, actual.PreviousMs));
        Assert.Equal(expected.Values, actual.Values);
        Assert.Equal(expected.Previous, actual.Previous);
        Assert.Equal((40_000L, 8.0), (actual.TimestampMs, actual.Values[PodFields.Table.Column("memory.usageBytes")]));
    }

    [Fact]
    public async Task Requests_and_limits_come_from_the_pods_and_the_containers_own_series_and_labels_from_the_newest_labels_series()
    {
        var limit = PodFields.Table.Column("cpu.limitCores");
        var answer = new PodAnswer(lastTwo: false);
        await FeedWithPrefixAsync(answer.Add, PodAnswer.Labels, KubernetesLabelSeries.Prefix,
            Series("kubemonitor_pod_cpu_usage_seconds_total", "namespace=ns,pod=web-1,node=n", (10, 1), (20, 2)),
            Series("kubemonitor_pod_cpu_limit_cores", "namespace=ns,pod=web-1,node=n", (20, 0.75)),
            Series("kubemonitor_container_cpu_limit_cores", "namespace=ns,pod=web-1,container=app,node=n", (10, 0.5), (20, 0.5)),
            Series("kubemonitor_container_cpu_limit_cores", "namespace=ns,pod=web-1,container=sidecar,node=n", (20, 0.25)),
            Series("kubemonitor_container_cpu_usage_seconds_total", "namespace=ns,pod=web-1,container=app,node=n", (10, 1), (20, 2)),
            Series("kubemonitor_pod_labels", "namespace=ns,pod=web-1,node=n,label_app=old", (10, 1)),
            Series("kubemonitor_pod_labels", "namespace=ns,pod=web-1,node=n,label_app=web,label_app_kubernetes_io_name=web,uninvited=x", (20, 1)),
            Series("kubemonitor_pod_info", "namespace=ns,pod=web-1,node=n,uid=u", (20, 1)));

        var web = answer.Pods[new PodKey("ns", "web-1")];
        var rows = web.Window(0).Rows;
        // The pod's own series, not a sum of its containers': absent at 10 (the sidecar had no limit yet).
        Assert.True(double.IsNaN(rows.Row(0)[limit]));
        Assert.Equal(0.75, rows.Row(1)[limit]);
        var app = web.Latest().Containers.Single(c => c.Name == "app");
        Assert.Equal(0.5, app.Rows.Values[ContainerFields.Table.Column("cpu.limitCores")]);
        Assert.Equal("u", web.Identity.Uid);
        Assert.Equal(
            [new KeyValuePair<string, string>("app", "web"), new("app_kubernetes_io_name", "web")],
            web.Identity.Labels!);
    }

    [Fact]
    public async Task A_nodes_labels_come_from_its_labels_series_and_add_no_row()
    {
        var answer = new NodeAnswer(lastTwo: false);
        await FeedWithPrefixAsync(answer.Add, NodeAnswer.Labels, KubernetesLabelSeries.Prefix,
            Series("kubemonitor_node_cpu_usage_seconds_total", "node=n1", (10, 1)),
            Series("kubemonitor_node_labels", "node=n1,label_kubernetes_io_os=linux", (10, 1)));

        Assert.Equal("linux", answer.LabelsOf("n1")!["kubernetes_io_os"]);
        Assert.Null(answer.LabelsOf("n2"));
        Assert.Equal([10_000L], answer.Nodes["n1"].From(0).Timestamps);
    }

    /// <summary>A matrix series: labels as <c>a=b,c=d</c>, samples as (seconds, value).</summary>
    private static string Series(string metric, string labels, params (double Seconds, double Value)[] samples)
    {
        var pairs = labels.Split(',').Select(l => l.Split('=', 2)).Select(l => $"\"{l[0]}\":\"{l[1]}\"");
        var values = samples.Select(s => FormattableString.Invariant($"[{s.Seconds},\"{s.Value}\"]"));
        return $$"""{"metric":{"__name__":"{{metric}}",{{string.Join(",", pairs)}}},"values":[{{string.Join(",", values)}}]}""";
    }

    private static Task FeedAsync(Action<RawSeries> add, IReadOnlySet<string> labels, params string[] series) => FeedWithPrefixAsync(add, labels, null, series);

    /// <summary>As <see cref="FeedAsync"/>, also keeping the labels whose names start with <paramref name="labelPrefix"/>.</summary>
    private static async Task FeedWithPrefixAsync(Action<RawSeries> add, IReadOnlySet<string> labels, string? labelPrefix, params string[] series)
    {
        var json = """{"status":"success","data":{"resultType":"matrix","result":[""" + string.Join(",", series) + "]}}";
        var parser = new QueryAnswerParser(labels, add, labelPrefix);
        await QueryAnswerReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), parser, CancellationToken.None);
        Assert.Equal("success", parser.Status);
    }
}

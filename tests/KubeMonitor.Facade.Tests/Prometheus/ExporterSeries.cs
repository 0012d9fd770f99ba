using KubeMonitor.Contracts;

namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>
/// What a test pushes, as the series of docs/api.md section 4 that the exporter would have served
/// and Prometheus scraped: same names and labels, one sample each. A value absent from the push is
/// an absent series (never 0), an absent identity label is left out (Prometheus stores an empty
/// label as none). Every series also carries <paramref name="testLabelName"/> =
/// <paramref name="testLabelValue"/>, so tests sharing one Prometheus never see each other's data.
/// Timestamps are Unix milliseconds: a sample's own, else its batch's, else the default given.
/// </summary>
public sealed class ExporterSeries(string testLabelName, string testLabelValue)
{
    /// <summary>The one block device every node sample is written to.</summary>
    public const string Device = "sda";

    /// <summary>The interface a node sample's network counters are written to.</summary>
    public const string Interface = "eth0";

    /// <summary>The loopback interface, which the exporter reports and node totals exclude.</summary>
    public const string Loopback = "lo";

    /// <summary>
    /// Loopback traffic large and moving (ten times the node's, on top of a terabyte), so that a
    /// source adding lo into node totals is wrong in totals and in rates alike.
    /// </summary>
    public static double LoopbackBytes(double interfaceBytes) => 1e12 + 10 * interfaceBytes;

    /// <summary>A node sample, as pushed to <c>POST /api/nodes/{node}</c>.</summary>
    public IReadOnlyList<MetricSample> ForNode(string node, NodeSample sample, long defaultTimestampMs)
    {
        var series = new List<MetricSample>();
        AddNode(series, node, sample, sample.Timestamp?.ToUnixTimeMilliseconds() ?? defaultTimestampMs);
        return series;
    }

    /// <summary>A pod sample, as pushed to <c>POST /api/pods/{pod}</c>: the path names the pod, the sample its node.</summary>
    public IReadOnlyList<MetricSample> ForPod(string pod, PodSample sample, long defaultTimestampMs)
    {
        var series = new List<MetricSample>();
        AddPod(series, pod, sample.Node, sample, sample.Timestamp?.ToUnixTimeMilliseconds() ?? defaultTimestampMs);
        return series;
    }

    /// <summary>A batch, as pushed to <c>POST /api/nodes/{node}/batch</c>: the path's node is every pod's node.</summary>
    public IReadOnlyList<MetricSample> ForBatch(string node, Batch batch, long defaultTimestampMs)
    {
        var batchTime = batch.Timestamp?.ToUnixTimeMilliseconds() ?? defaultTimestampMs;
        var series = new List<MetricSample>();
        if (batch.Node is { } nodeSample)
        {
            AddNode(series, node, nodeSample, nodeSample.Timestamp?.ToUnixTimeMilliseconds() ?? batchTime);
        }
        foreach (var pod in batch.Pods ?? [])
        {
            var name = pod.Name ?? throw new ArgumentException("A batch's pod needs a name.", nameof(batch));
            AddPod(series, name, node, pod, pod.Timestamp?.ToUnixTimeMilliseconds() ?? batchTime);
        }
        return series;
    }

    private void AddNode(List<MetricSample> series, string node, NodeSample sample, long time)
    {
        void Add(string name, double? value, params (string Name, string? Value)[] more) =>
            AddSeries(series, name, value, time, [("node", node), .. more]);

        Add("kubemonitor_node_cpu_usage_seconds_total", sample.Cpu?.UsageSecondsTotal);
        Add("kubemonitor_node_cpu_capacity_cores", sample.Cpu?.CapacityCores);
        Add("kubemonitor_node_memory_total_bytes", sample.Memory?.TotalBytes);
        Add("kubemonitor_node_memory_available_bytes", sample.Memory?.AvailableBytes);
        Add("kubemonitor_node_memory_used_bytes", sample.Memory?.UsedBytes);
        Add("kubemonitor_node_disk_read_bytes_total", sample.Disk?.ReadBytesTotal, ("device", Device));
        Add("kubemonitor_node_disk_written_bytes_total", sample.Disk?.WriteBytesTotal, ("device", Device));
        var rx = sample.Network?.RxBytesTotal;
        var tx = sample.Network?.TxBytesTotal;
        Add("kubemonitor_node_network_receive_bytes_total", rx, ("interface", Interface));
        Add("kubemonitor_node_network_transmit_bytes_total", tx, ("interface", Interface));
        Add("kubemonitor_node_network_receive_bytes_total", rx is { } r ? LoopbackBytes(r) : null, ("interface", Loopback));
        Add("kubemonitor_node_network_transmit_bytes_total", tx is { } t ? LoopbackBytes(t) : null, ("interface", Loopback));
    }

    private void AddPod(List<MetricSample> series, string pod, string? node, PodSample sample, long time)
    {
        var ns = sample.Namespace ?? throw new ArgumentException($"Pod {pod} needs a namespace.", nameof(sample));
        void Add(string name, double? value) => AddSeries(series, name, value, time, [("namespace", ns), ("pod", pod), ("node", node)]);

        // The exporter serves pod_info for every pod it sees, whatever it could read of it.
        AddSeries(series, "kubemonitor_pod_info", 1, time,
        [
            ("namespace", ns), ("pod", pod), ("node", node), ("uid", sample.Uid),
            ("owner_kind", sample.OwnerKind), ("owner_name", sample.OwnerName), ("deployment", sample.Deployment),
        ]);
        Add("kubemonitor_pod_cpu_usage_seconds_total", sample.Cpu?.UsageSecondsTotal);
        Add("kubemonitor_pod_memory_working_set_bytes", sample.Memory?.WorkingSetBytes);
        Add("kubemonitor_pod_memory_usage_bytes", sample.Memory?.UsageBytes);
        Add("kubemonitor_pod_disk_read_bytes_total", sample.Disk?.ReadBytesTotal);
        Add("kubemonitor_pod_disk_written_bytes_total", sample.Disk?.WriteBytesTotal);
        Add("kubemonitor_pod_network_receive_bytes_total", sample.Network?.RxBytesTotal);
        Add("kubemonitor_pod_network_transmit_bytes_total", sample.Network?.TxBytesTotal);

        foreach (var container in sample.Containers ?? [])
        {
            var name = container.Name ?? throw new ArgumentException($"A container of pod {pod} needs a name.", nameof(sample));
            void AddContainer(string metric, double? value) =>
                AddSeries(series, metric, value, time, [("namespace", ns), ("pod", pod), ("container", name), ("node", node)]);
            AddContainer("kubemonitor_container_cpu_usage_seconds_total", container.Cpu?.UsageSecondsTotal);
            AddContainer("kubemonitor_container_memory_working_set_bytes", container.Memory?.WorkingSetBytes);
            // Not in section 4's table, but the exporter serves it (exporter/Metrics/ExporterMetrics.cs).
            AddContainer("kubemonitor_container_memory_usage_bytes", container.Memory?.UsageBytes);
        }
    }

    private void AddSeries(List<MetricSample> series, string name, double? value, long time, (string Name, string? Value)[] labels)
    {
        if (value is not { } v) return;
        var set = labels.Where(l => !string.IsNullOrEmpty(l.Value)).ToDictionary(l => l.Name, l => l.Value!, StringComparer.Ordinal);
        set.Add(testLabelName, testLabelValue);
        series.Add(new MetricSample(name, set, v, time));
    }
}

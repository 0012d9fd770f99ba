using KubeMonitor.Contracts;

namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>
/// What a test pushes, as the series of docs/api.md section 4 that the exporter would have served
/// and Prometheus scraped: same names and labels, one sample each. A value absent from the push is
/// an absent series (never 0), an absent identity label is left out (Prometheus stores an empty
/// label as none). Every series also carries <paramref name="testLabelName"/> =
/// <paramref name="testLabelValue"/>, so tests sharing one Prometheus never see each other's data.
/// Timestamps are Unix milliseconds: a sample's own, else its batch's, else the default given.
/// Section 6: labels as <c>kubemonitor_{pod,node}_labels</c> (keys sanitized as kube-state-metrics
/// does), requests and limits as pod and container series (the pod's as pushed), throttling and OOM kills of the pod's own
/// cgroup as <c>kubemonitor_pod_*</c> series, pressure as section 4's pod series.
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
        if (sample.Labels is { } labels) Add("kubemonitor_node_labels", 1, LabelPairs(labels));
    }

    /// <summary>Kubernetes labels as Prometheus labels: <c>label_</c> and the key with every character outside [a-zA-Z0-9_] made <c>_</c>.</summary>
    public static (string Name, string? Value)[] LabelPairs(IReadOnlyDictionary<string, string> labels) =>
        [.. labels.Select(l => ("label_" + string.Concat(l.Key.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_')), (string?)l.Value))];

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
        Add("kubemonitor_pod_cpu_throttled_seconds_total", sample.Cpu?.ThrottledSecondsTotal);
        Add("kubemonitor_pod_cpu_throttled_periods_total", sample.Cpu?.ThrottledPeriodsTotal);
        Add("kubemonitor_pod_cpu_periods_total", sample.Cpu?.PeriodsTotal);
        Add("kubemonitor_pod_oom_kills_total", sample.Memory?.OomKillsTotal);
        foreach (var (resource, stall) in new[] { ("cpu", sample.Pressure?.Cpu), ("memory", sample.Pressure?.Memory), ("io", sample.Pressure?.Io) })
        {
            Add($"kubemonitor_pod_pressure_{resource}_waiting_seconds_total", stall?.WaitingSecondsTotal);
            Add($"kubemonitor_pod_pressure_{resource}_stalled_seconds_total", stall?.StalledSecondsTotal);
        }
        if (sample.Labels is { } labels)
        {
            AddSeries(series, "kubemonitor_pod_labels", 1, time, [("namespace", ns), ("pod", pod), ("node", node), .. LabelPairs(labels)]);
        }
        Add("kubemonitor_pod_cpu_request_cores", sample.Resources?.CpuRequestCores);
        Add("kubemonitor_pod_cpu_limit_cores", sample.Resources?.CpuLimitCores);
        Add("kubemonitor_pod_memory_request_bytes", sample.Resources?.MemoryRequestBytes);
        Add("kubemonitor_pod_memory_limit_bytes", sample.Resources?.MemoryLimitBytes);

        foreach (var container in sample.Containers ?? [])
        {
            var name = container.Name ?? throw new ArgumentException($"A container of pod {pod} needs a name.", nameof(sample));
            void AddContainer(string metric, double? value) =>
                AddSeries(series, metric, value, time, [("namespace", ns), ("pod", pod), ("container", name), ("node", node)]);
            AddContainer("kubemonitor_container_cpu_usage_seconds_total", container.Cpu?.UsageSecondsTotal);
            AddContainer("kubemonitor_container_memory_working_set_bytes", container.Memory?.WorkingSetBytes);
            // Not in section 4's table, but the exporter serves it (exporter/Metrics/ExporterMetrics.cs).
            AddContainer("kubemonitor_container_memory_usage_bytes", container.Memory?.UsageBytes);
            AddContainer("kubemonitor_container_cpu_request_cores", container.Resources?.CpuRequestCores);
            AddContainer("kubemonitor_container_cpu_limit_cores", container.Resources?.CpuLimitCores);
            AddContainer("kubemonitor_container_memory_request_bytes", container.Resources?.MemoryRequestBytes);
            AddContainer("kubemonitor_container_memory_limit_bytes", container.Resources?.MemoryLimitBytes);
            AddContainer("kubemonitor_container_cpu_throttled_seconds_total", container.Cpu?.ThrottledSecondsTotal);
            AddContainer("kubemonitor_container_cpu_throttled_periods_total", container.Cpu?.ThrottledPeriodsTotal);
            AddContainer("kubemonitor_container_cpu_periods_total", container.Cpu?.PeriodsTotal);
            AddContainer("kubemonitor_container_oom_kills_total", container.Memory?.OomKillsTotal);
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

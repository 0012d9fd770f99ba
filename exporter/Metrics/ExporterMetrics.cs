using KubeMonitor.Exporter.Collection;
using Prometheus;

namespace KubeMonitor.Exporter.Metrics;

/// <summary>
/// Publishes collections as the Prometheus metrics of docs/api.md section 4 on the exporter's own
/// registry (never the process-wide default one, so no runtime metrics leak into /metrics).
/// Counters carry the kernel's cumulative values exactly; a value that goes down (a restarted
/// container) recreates its series. A null value, and anything gone since the last publish,
/// is absent from the output, never 0.
/// </summary>
public sealed class ExporterMetrics : ICollectionSink
{
    private static readonly string[] NodeLabels = ["node"];
    private static readonly string[] PodLabels = ["namespace", "pod", "node"];
    private static readonly string[] ContainerLabels = ["namespace", "pod", "container", "node"];

    private readonly Lock _gate = new();
    private readonly List<LabelledSeries> _all = [];
    private long _publishedSequence;

    private readonly CounterSeries _nodeCpuSeconds;
    private readonly GaugeSeries _nodeCpuCapacity;
    private readonly GaugeSeries _nodeMemoryTotal, _nodeMemoryAvailable, _nodeMemoryUsed;
    private readonly CounterSeries _nodeDiskRead, _nodeDiskWritten;
    private readonly CounterSeries _nodeNetworkReceive, _nodeNetworkTransmit;

    private readonly GaugeSeries _podInfo;
    private readonly InfoSeries _podLabels, _nodeLabels;
    private readonly CounterSeries _podThrottledSeconds, _podThrottledPeriods, _podPeriods, _podOomKills;
    private readonly CounterSeries _podCpuSeconds;
    private readonly GaugeSeries _podWorkingSet, _podUsage, _podRss, _podCache, _podActiveFile, _podInactiveFile;
    private readonly CounterSeries _podDiskRead, _podDiskWritten;
    private readonly CounterSeries _podNetworkReceive, _podNetworkTransmit;
    private readonly CounterSeries _podCpuWaiting, _podCpuStalled, _podMemoryWaiting, _podMemoryStalled, _podIoWaiting, _podIoStalled;

    private readonly CounterSeries _containerCpuSeconds;
    private readonly GaugeSeries _containerWorkingSet, _containerUsage, _containerRss, _containerCache, _containerActiveFile, _containerInactiveFile;
    private readonly CounterSeries _containerThrottledSeconds, _containerThrottledPeriods, _containerPeriods, _containerOomKills;
    private readonly GaugeSeries _containerCpuRequest, _containerCpuLimit, _containerMemoryRequest, _containerMemoryLimit;
    private readonly GaugeSeries _podCpuRequest, _podCpuLimit, _podMemoryRequest, _podMemoryLimit;

    private readonly GaugeSeries _collectorDuration, _collectorSuccess;
    private readonly Counter _readErrors;

    public ExporterMetrics(CollectorRegistry registry)
    {
        Registry = registry;
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);

        _nodeLabels = new InfoSeries(factory, "kubemonitor_node_labels", "Always 1: the node's Kubernetes labels as label_<key> (key characters outside [a-zA-Z0-9_] made _). Absent while the node's Kubernetes object is not known.", NodeLabels);
        _nodeCpuSeconds = Counter(factory, "kubemonitor_node_cpu_usage_seconds_total", "CPU time the node spent working (user+nice+system+irq+softirq over all CPUs of /proc/stat), in seconds.", NodeLabels);
        _nodeCpuCapacity = Gauge(factory, "kubemonitor_node_cpu_capacity_cores", "Number of CPUs of the node (cpuN lines of /proc/stat).", NodeLabels);
        _nodeMemoryTotal = Gauge(factory, "kubemonitor_node_memory_total_bytes", "MemTotal of /proc/meminfo, in bytes.", NodeLabels);
        _nodeMemoryAvailable = Gauge(factory, "kubemonitor_node_memory_available_bytes", "MemAvailable of /proc/meminfo (estimated on kernels without it), in bytes.", NodeLabels);
        _nodeMemoryUsed = Gauge(factory, "kubemonitor_node_memory_used_bytes", "Total minus available memory, in bytes.", NodeLabels);
        _nodeDiskRead = Counter(factory, "kubemonitor_node_disk_read_bytes_total", "Bytes read from the block device (sectors of /proc/diskstats x 512).", [.. NodeLabels, "device"]);
        _nodeDiskWritten = Counter(factory, "kubemonitor_node_disk_written_bytes_total", "Bytes written to the block device (sectors of /proc/diskstats x 512).", [.. NodeLabels, "device"]);
        _nodeNetworkReceive = Counter(factory, "kubemonitor_node_network_receive_bytes_total", "Bytes received on the interface (/proc/net/dev).", [.. NodeLabels, "interface"]);
        _nodeNetworkTransmit = Counter(factory, "kubemonitor_node_network_transmit_bytes_total", "Bytes transmitted on the interface (/proc/net/dev).", [.. NodeLabels, "interface"]);

        _podInfo = Gauge(factory, "kubemonitor_pod_info", "Always 1: the pod's identity and owner; join on namespace and pod. Empty labels where the Kubernetes API is not known (pod is then the UID).", ["namespace", "pod", "node", "uid", "owner_kind", "owner_name", "deployment"]);
        _podLabels = new InfoSeries(factory, "kubemonitor_pod_labels", "Always 1: the pod's Kubernetes labels as label_<key> (key characters outside [a-zA-Z0-9_] made _, as kube-state-metrics does); join on namespace and pod. Absent while the Kubernetes API is not known.", PodLabels);
        _podCpuSeconds = Counter(factory, "kubemonitor_pod_cpu_usage_seconds_total", "CPU time of the pod's cgroup (sandbox included), in seconds.", PodLabels);
        _podWorkingSet = Gauge(factory, "kubemonitor_pod_memory_working_set_bytes", "Memory usage minus inactive file pages of the pod's cgroup, in bytes.", PodLabels);
        _podUsage = Gauge(factory, "kubemonitor_pod_memory_usage_bytes", "Memory usage of the pod's cgroup (memory.current or memory.usage_in_bytes), in bytes.", PodLabels);
        _podRss = Gauge(factory, "kubemonitor_pod_memory_rss_bytes", "Anonymous memory of the pod's cgroup (rss, v2 anon), in bytes.", PodLabels);
        _podCache = Gauge(factory, "kubemonitor_pod_memory_cache_bytes", "Page cache of the pod's cgroup (cache, v2 file), in bytes.", PodLabels);
        _podActiveFile = Gauge(factory, "kubemonitor_pod_memory_active_file_bytes", "Active file pages of the pod's cgroup, in bytes.", PodLabels);
        _podInactiveFile = Gauge(factory, "kubemonitor_pod_memory_inactive_file_bytes", "Inactive file pages of the pod's cgroup, in bytes.", PodLabels);
        _podDiskRead = Counter(factory, "kubemonitor_pod_disk_read_bytes_total", "Bytes the pod's cgroup read from block devices, summed over devices.", PodLabels);
        _podDiskWritten = Counter(factory, "kubemonitor_pod_disk_written_bytes_total", "Bytes the pod's cgroup wrote to block devices, summed over devices.", PodLabels);
        _podNetworkReceive = Counter(factory, "kubemonitor_pod_network_receive_bytes_total", "Bytes received in the pod's network namespace, all interfaces but lo.", PodLabels);
        _podNetworkTransmit = Counter(factory, "kubemonitor_pod_network_transmit_bytes_total", "Bytes transmitted in the pod's network namespace, all interfaces but lo.", PodLabels);
        _podThrottledSeconds = Counter(factory, "kubemonitor_pod_cpu_throttled_seconds_total", "Time the pod's cgroup was throttled by its CPU quota (cpu.stat), in seconds.", PodLabels);
        _podThrottledPeriods = Counter(factory, "kubemonitor_pod_cpu_throttled_periods_total", "CFS periods in which the pod's cgroup was throttled (cpu.stat nr_throttled).", PodLabels);
        _podPeriods = Counter(factory, "kubemonitor_pod_cpu_periods_total", "CFS periods in which the pod's cgroup could run (cpu.stat nr_periods).", PodLabels);
        _podOomKills = Counter(factory, "kubemonitor_pod_oom_kills_total", "Processes of the pod's cgroup killed by the OOM killer (memory.events or memory.oom_control oom_kill).", PodLabels);
        _podCpuWaiting = Counter(factory, "kubemonitor_pod_pressure_cpu_waiting_seconds_total", "Time some task of the pod waited for CPU (cpu.pressure some total), in seconds.", PodLabels);
        _podCpuStalled = Counter(factory, "kubemonitor_pod_pressure_cpu_stalled_seconds_total", "Time all tasks of the pod were stalled on CPU (cpu.pressure full total), in seconds.", PodLabels);
        _podMemoryWaiting = Counter(factory, "kubemonitor_pod_pressure_memory_waiting_seconds_total", "Time some task of the pod waited for memory (memory.pressure some total), in seconds.", PodLabels);
        _podMemoryStalled = Counter(factory, "kubemonitor_pod_pressure_memory_stalled_seconds_total", "Time all tasks of the pod were stalled on memory (memory.pressure full total), in seconds.", PodLabels);
        _podIoWaiting = Counter(factory, "kubemonitor_pod_pressure_io_waiting_seconds_total", "Time some task of the pod waited for I/O (io.pressure some total), in seconds.", PodLabels);
        _podIoStalled = Counter(factory, "kubemonitor_pod_pressure_io_stalled_seconds_total", "Time all tasks of the pod were stalled on I/O (io.pressure full total), in seconds.", PodLabels);

        _containerCpuSeconds = Counter(factory, "kubemonitor_container_cpu_usage_seconds_total", "CPU time of the container's cgroup, in seconds.", ContainerLabels);
        _containerWorkingSet = Gauge(factory, "kubemonitor_container_memory_working_set_bytes", "Memory usage minus inactive file pages of the container's cgroup, in bytes.", ContainerLabels);
        _containerUsage = Gauge(factory, "kubemonitor_container_memory_usage_bytes", "Memory usage of the container's cgroup, in bytes.", ContainerLabels);
        _containerRss = Gauge(factory, "kubemonitor_container_memory_rss_bytes", "Anonymous memory of the container's cgroup, in bytes.", ContainerLabels);
        _containerCache = Gauge(factory, "kubemonitor_container_memory_cache_bytes", "Page cache of the container's cgroup, in bytes.", ContainerLabels);
        _containerActiveFile = Gauge(factory, "kubemonitor_container_memory_active_file_bytes", "Active file pages of the container's cgroup, in bytes.", ContainerLabels);
        _containerInactiveFile = Gauge(factory, "kubemonitor_container_memory_inactive_file_bytes", "Inactive file pages of the container's cgroup, in bytes.", ContainerLabels);
        _containerThrottledSeconds = Counter(factory, "kubemonitor_container_cpu_throttled_seconds_total", "Time the container was throttled by its CPU quota (cpu.stat), in seconds.", ContainerLabels);
        _containerThrottledPeriods = Counter(factory, "kubemonitor_container_cpu_throttled_periods_total", "CFS periods in which the container was throttled (cpu.stat nr_throttled).", ContainerLabels);
        _containerPeriods = Counter(factory, "kubemonitor_container_cpu_periods_total", "CFS periods in which the container could run (cpu.stat nr_periods).", ContainerLabels);
        _containerOomKills = Counter(factory, "kubemonitor_container_oom_kills_total", "Processes of the container killed by the OOM killer (memory.events oom_kill).", ContainerLabels);

        _containerCpuRequest = Gauge(factory, "kubemonitor_container_cpu_request_cores", "CPU request of the container in the pod spec, in cores.", ContainerLabels);
        _containerCpuLimit = Gauge(factory, "kubemonitor_container_cpu_limit_cores", "CPU limit of the container in the pod spec, in cores.", ContainerLabels);
        _containerMemoryRequest = Gauge(factory, "kubemonitor_container_memory_request_bytes", "Memory request of the container in the pod spec, in bytes.", ContainerLabels);
        _containerMemoryLimit = Gauge(factory, "kubemonitor_container_memory_limit_bytes", "Memory limit of the container in the pod spec, in bytes.", ContainerLabels);
        // The pod's: its containers' sums, absent when one container lacks the value (the pushed value, so both facade sources agree).
        _podCpuRequest = Gauge(factory, "kubemonitor_pod_cpu_request_cores", "CPU request of the pod: the sum of its containers', absent when one has none, in cores.", PodLabels);
        _podCpuLimit = Gauge(factory, "kubemonitor_pod_cpu_limit_cores", "CPU limit of the pod: the sum of its containers', absent when one has none, in cores.", PodLabels);
        _podMemoryRequest = Gauge(factory, "kubemonitor_pod_memory_request_bytes", "Memory request of the pod: the sum of its containers', absent when one has none, in bytes.", PodLabels);
        _podMemoryLimit = Gauge(factory, "kubemonitor_pod_memory_limit_bytes", "Memory limit of the pod: the sum of its containers', absent when one has none, in bytes.", PodLabels);

        _collectorDuration = Gauge(factory, "kubemonitor_exporter_collector_duration_seconds", "How long the collector took in the last collection, in seconds.", ["collector"]);
        _collectorSuccess = Gauge(factory, "kubemonitor_exporter_collector_success", "1 when the collector succeeded in the last collection, else 0.", ["collector"]);
        // A plain counter: it counts every collection's errors and is never swept.
        _readErrors = factory.CreateCounter("kubemonitor_exporter_read_errors_total", "Kernel files of a pod or container that could not be read or parsed, by file name; each costs only that file's values of that pod or container in that collection.", ["file"]);
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Shows every collection as it is made, so a scrape that waited for one serves it.</summary>
    public ValueTask AcceptAsync(CollectionResult collection, CancellationToken cancellationToken)
    {
        Publish(collection);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Makes the registry show exactly this collection. A collection older than the one already
    /// shown is ignored: a late publish of an older collection must not move counters back
    /// (that would read as a reset).
    /// </summary>
    public void Publish(CollectionResult result)
    {
        lock (_gate)
        {
            // Counted even for a collection too old to show: the errors happened.
            foreach (var error in result.Snapshot.ReadErrors)
            {
                _readErrors.WithLabels(error.File).Inc();
            }
            if (result.Sequence < _publishedSequence) return;
            _publishedSequence = result.Sequence;
            var snapshot = result.Snapshot;
            PublishNode(snapshot);
            foreach (var pod in snapshot.Pods ?? [])
            {
                PublishPod(pod, snapshot.NodeName);
            }
            foreach (var collector in result.Collectors)
            {
                _collectorDuration.Set(collector.Duration.TotalSeconds, collector.Name);
                _collectorSuccess.Set(collector.Success ? 1 : 0, collector.Name);
            }
            foreach (var series in _all)
            {
                series.Sweep();
            }
            _podLabels.Sweep();
            _nodeLabels.Sweep();
        }
    }

    private void PublishNode(NodeSnapshot snapshot)
    {
        var node = snapshot.NodeName;
        if (snapshot.Labels is { } labels)
        {
            _nodeLabels.Set([new("node", node)], KubernetesLabelNames.Of(labels));
        }
        if (snapshot.Cpu is { } cpu)
        {
            _nodeCpuSeconds.Set(cpu.UsageSecondsTotal, node);
            _nodeCpuCapacity.Set(cpu.CapacityCores, node);
        }
        if (snapshot.Memory is { } memory)
        {
            _nodeMemoryTotal.Set(memory.TotalBytes, node);
            _nodeMemoryAvailable.Set(memory.AvailableBytes, node);
            _nodeMemoryUsed.Set(memory.UsedBytes, node);
        }
        foreach (var disk in snapshot.Disks ?? [])
        {
            _nodeDiskRead.Set(disk.ReadBytesTotal, node, disk.Name);
            _nodeDiskWritten.Set(disk.WrittenBytesTotal, node, disk.Name);
        }
        foreach (var link in snapshot.Interfaces ?? [])
        {
            _nodeNetworkReceive.Set(link.ReceiveBytesTotal, node, link.Name);
            _nodeNetworkTransmit.Set(link.TransmitBytesTotal, node, link.Name);
        }
    }

    private void PublishPod(PodSnapshot pod, string node)
    {
        var meta = pod.Metadata;
        // Without metadata the UID stands in for the name, so the series still exist and join later.
        var ns = meta?.Namespace ?? "";
        var name = meta?.Name ?? pod.Uid;
        _podInfo.Set(1, ns, name, node, pod.Uid, meta?.OwnerKind ?? "", meta?.OwnerName ?? "", meta?.Deployment ?? "");
        if (meta?.Labels is { } labels)
        {
            _podLabels.Set([new("namespace", ns), new("pod", name), new("node", node)], KubernetesLabelNames.Of(labels));
        }
        if (meta is not null) PublishResources(meta, ns, name, node);

        var s = pod.Stats;
        _podCpuSeconds.Set(s.CpuUsageSeconds, ns, name, node);
        _podWorkingSet.Set(s.MemoryWorkingSetBytes, ns, name, node);
        _podUsage.Set(s.MemoryUsageBytes, ns, name, node);
        _podRss.Set(s.MemoryRssBytes, ns, name, node);
        _podCache.Set(s.MemoryCacheBytes, ns, name, node);
        _podActiveFile.Set(s.MemoryActiveFileBytes, ns, name, node);
        _podInactiveFile.Set(s.MemoryInactiveFileBytes, ns, name, node);
        _podDiskRead.Set(s.DiskReadBytes, ns, name, node);
        _podDiskWritten.Set(s.DiskWrittenBytes, ns, name, node);
        _podNetworkReceive.Set(pod.Network?.ReceiveBytesTotal, ns, name, node);
        _podNetworkTransmit.Set(pod.Network?.TransmitBytesTotal, ns, name, node);
        _podThrottledSeconds.Set(s.CpuThrottledSeconds, ns, name, node);
        _podThrottledPeriods.Set(s.CpuThrottledPeriods, ns, name, node);
        _podPeriods.Set(s.CpuPeriods, ns, name, node);
        _podOomKills.Set(s.OomKills, ns, name, node);
        _podCpuWaiting.Set(s.CpuPressure?.WaitingSeconds, ns, name, node);
        _podCpuStalled.Set(s.CpuPressure?.StalledSeconds, ns, name, node);
        _podMemoryWaiting.Set(s.MemoryPressure?.WaitingSeconds, ns, name, node);
        _podMemoryStalled.Set(s.MemoryPressure?.StalledSeconds, ns, name, node);
        _podIoWaiting.Set(s.IoPressure?.WaitingSeconds, ns, name, node);
        _podIoStalled.Set(s.IoPressure?.StalledSeconds, ns, name, node);

        foreach (var container in pod.Containers)
        {
            // A pod the API describes names all its containers; one it leaves unnamed is the
            // sandbox (pause), whose usage stays in the pod's own series. Without metadata the
            // id is all there is.
            if (meta is not null && container.Name is null) continue;
            var c = container.Name ?? container.Id;
            var cs = container.Stats;
            _containerCpuSeconds.Set(cs.CpuUsageSeconds, ns, name, c, node);
            _containerWorkingSet.Set(cs.MemoryWorkingSetBytes, ns, name, c, node);
            _containerUsage.Set(cs.MemoryUsageBytes, ns, name, c, node);
            _containerRss.Set(cs.MemoryRssBytes, ns, name, c, node);
            _containerCache.Set(cs.MemoryCacheBytes, ns, name, c, node);
            _containerActiveFile.Set(cs.MemoryActiveFileBytes, ns, name, c, node);
            _containerInactiveFile.Set(cs.MemoryInactiveFileBytes, ns, name, c, node);
            _containerThrottledSeconds.Set(cs.CpuThrottledSeconds, ns, name, c, node);
            _containerThrottledPeriods.Set(cs.CpuThrottledPeriods, ns, name, c, node);
            _containerPeriods.Set(cs.CpuPeriods, ns, name, c, node);
            _containerOomKills.Set(cs.OomKills, ns, name, c, node);
        }
    }

    /// <summary>
    /// Requests and limits of the pod (<see cref="RequestsAndLimits.SumOf"/>, as pushed) and of every
    /// regular container of the spec, running or not. A value not set has no series.
    /// </summary>
    private void PublishResources(PodMetadata meta, string ns, string name, string node)
    {
        _podCpuRequest.Set(meta.Resources.CpuRequestCores, ns, name, node);
        _podCpuLimit.Set(meta.Resources.CpuLimitCores, ns, name, node);
        _podMemoryRequest.Set(meta.Resources.MemoryRequestBytes, ns, name, node);
        _podMemoryLimit.Set(meta.Resources.MemoryLimitBytes, ns, name, node);
        foreach (var container in meta.Containers)
        {
            var r = container.Resources;
            _containerCpuRequest.Set(r.CpuRequestCores, ns, name, container.Name, node);
            _containerCpuLimit.Set(r.CpuLimitCores, ns, name, container.Name, node);
            _containerMemoryRequest.Set(r.MemoryRequestBytes, ns, name, container.Name, node);
            _containerMemoryLimit.Set(r.MemoryLimitBytes, ns, name, container.Name, node);
        }
    }

    private CounterSeries Counter(MetricFactory factory, string name, string help, string[] labels)
    {
        var series = new CounterSeries(factory.CreateCounter(name, help, labels));
        _all.Add(series);
        return series;
    }

    private GaugeSeries Gauge(MetricFactory factory, string name, string help, string[] labels)
    {
        var series = new GaugeSeries(factory.CreateGauge(name, help, labels));
        _all.Add(series);
        return series;
    }
}

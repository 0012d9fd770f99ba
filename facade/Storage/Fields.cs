using KubeMonitor.Contracts;

namespace KubeMonitor.Facade.Storage;

// The field tables of the three entity kinds (docs/api.md sections 2 to 5). A new value is one
// line here (and its place in the view records); validation, storage, the Prometheus source,
// rates, rollups and summaries follow from it.

internal static class NodeFields
{
    public static readonly FieldTable<NodeSample> Table = new("node",
        new("cpu", "usageSecondsTotal", FieldKind.Counter, "kubemonitor_node_cpu_usage_seconds_total", s => s.Cpu?.UsageSecondsTotal, RateName: "usageCores"),
        new("cpu", "capacityCores", FieldKind.Gauge, "kubemonitor_node_cpu_capacity_cores", s => s.Cpu?.CapacityCores),
        new("memory", "totalBytes", FieldKind.Gauge, "kubemonitor_node_memory_total_bytes", s => s.Memory?.TotalBytes),
        new("memory", "availableBytes", FieldKind.Gauge, "kubemonitor_node_memory_available_bytes", s => s.Memory?.AvailableBytes),
        // Used is MemTotal less MemAvailable (docs/api.md): it moves as available does, negated.
        new("memory", "usedBytes", FieldKind.Gauge, "kubemonitor_node_memory_used_bytes", s => s.Memory?.UsedBytes, PredictedFrom: "memory.availableBytes"),
        new("disk", "readBytesTotal", FieldKind.Counter, "kubemonitor_node_disk_read_bytes_total", s => s.Disk?.ReadBytesTotal, RateName: "readBytesPerSecond"),
        new("disk", "writeBytesTotal", FieldKind.Counter, "kubemonitor_node_disk_written_bytes_total", s => s.Disk?.WriteBytesTotal, RateName: "writeBytesPerSecond"),
        // Node network totals leave out loopback (docs/api.md section 5); the exporter serves lo's series too.
        new("network", "rxBytesTotal", FieldKind.Counter, "kubemonitor_node_network_receive_bytes_total", s => s.Network?.RxBytesTotal, RateName: "rxBytesPerSecond", Matchers: "interface!=\"lo\""),
        new("network", "txBytesTotal", FieldKind.Counter, "kubemonitor_node_network_transmit_bytes_total", s => s.Network?.TxBytesTotal, RateName: "txBytesPerSecond", Matchers: "interface!=\"lo\""));

    public static readonly int CpuSecondsTotal = Table.Column("cpu.usageSecondsTotal");
    public static readonly int CpuCapacityCores = Table.Column("cpu.capacityCores");
    public static readonly int MemoryTotalBytes = Table.Column("memory.totalBytes");
    public static readonly int MemoryAvailableBytes = Table.Column("memory.availableBytes");
    public static readonly int MemoryUsedBytes = Table.Column("memory.usedBytes");
    public static int Count => Table.Count;
}

internal static class PodFields
{
    public static readonly FieldTable<PodSample> Table = new("pod",
        new("cpu", "usageSecondsTotal", FieldKind.Counter, "kubemonitor_pod_cpu_usage_seconds_total", s => s.Cpu?.UsageSecondsTotal, RateName: "usageCores"),
        new("memory", "workingSetBytes", FieldKind.Gauge, "kubemonitor_pod_memory_working_set_bytes", s => s.Memory?.WorkingSetBytes),
        // Usage is the working set plus inactive page cache, which mostly holds still while the working set moves.
        new("memory", "usageBytes", FieldKind.Gauge, "kubemonitor_pod_memory_usage_bytes", s => s.Memory?.UsageBytes, PredictedFrom: "memory.workingSetBytes"),
        new("disk", "readBytesTotal", FieldKind.Counter, "kubemonitor_pod_disk_read_bytes_total", s => s.Disk?.ReadBytesTotal, RateName: "readBytesPerSecond"),
        new("disk", "writeBytesTotal", FieldKind.Counter, "kubemonitor_pod_disk_written_bytes_total", s => s.Disk?.WriteBytesTotal, RateName: "writeBytesPerSecond"),
        new("network", "rxBytesTotal", FieldKind.Counter, "kubemonitor_pod_network_receive_bytes_total", s => s.Network?.RxBytesTotal, RateName: "rxBytesPerSecond"),
        new("network", "txBytesTotal", FieldKind.Counter, "kubemonitor_pod_network_transmit_bytes_total", s => s.Network?.TxBytesTotal, RateName: "txBytesPerSecond"),
        // docs/api.md section 6. A pod's requests and limits are its containers' sums, absent when one
        // container lacks the value, as the exporter pushes them and serves them (kubemonitor_pod_*).
        new("cpu", "requestCores", FieldKind.Gauge, "kubemonitor_pod_cpu_request_cores", s => s.Resources?.CpuRequestCores, Pushed: "resources.cpuRequestCores"),
        new("cpu", "limitCores", FieldKind.Gauge, "kubemonitor_pod_cpu_limit_cores", s => s.Resources?.CpuLimitCores, Pushed: "resources.cpuLimitCores"),
        new("memory", "requestBytes", FieldKind.Gauge, "kubemonitor_pod_memory_request_bytes", s => s.Resources?.MemoryRequestBytes, Pushed: "resources.memoryRequestBytes"),
        new("memory", "limitBytes", FieldKind.Gauge, "kubemonitor_pod_memory_limit_bytes", s => s.Resources?.MemoryLimitBytes, Pushed: "resources.memoryLimitBytes"),
        // Throttling and OOM kills of the pod's own cgroup, as its CPU usage (not summed from containers).
        new("cpu", "throttledSecondsTotal", FieldKind.Counter, "kubemonitor_pod_cpu_throttled_seconds_total", s => s.Cpu?.ThrottledSecondsTotal, RateName: "throttledSecondsPerSecond", InRollups: false),
        new("cpu", "throttledPeriodsTotal", FieldKind.Counter, "kubemonitor_pod_cpu_throttled_periods_total", s => s.Cpu?.ThrottledPeriodsTotal, InRollups: false),
        new("cpu", "periodsTotal", FieldKind.Counter, "kubemonitor_pod_cpu_periods_total", s => s.Cpu?.PeriodsTotal, InRollups: false),
        new("memory", "oomKillsTotal", FieldKind.Counter, "kubemonitor_pod_oom_kills_total", s => s.Memory?.OomKillsTotal, IncreaseName: "oomKills", InRollups: false),
        Pressure("cpu", "waiting", s => s.Pressure?.Cpu?.WaitingSecondsTotal),
        Pressure("cpu", "stalled", s => s.Pressure?.Cpu?.StalledSecondsTotal),
        Pressure("memory", "waiting", s => s.Pressure?.Memory?.WaitingSecondsTotal),
        Pressure("memory", "stalled", s => s.Pressure?.Memory?.StalledSecondsTotal),
        Pressure("io", "waiting", s => s.Pressure?.Io?.WaitingSecondsTotal),
        Pressure("io", "stalled", s => s.Pressure?.Io?.StalledSecondsTotal));

    public static int Count => Table.Count;

    /// <summary>A PSI total (<c>some</c> is waiting, <c>full</c> stalled), shown at <c>pressure.{resource}.{kind}SecondsPerSecond</c>.</summary>
    private static Field<PodSample> Pressure(string resource, string kind, Func<PodSample, double?> read) =>
        new($"pressure.{resource}", $"{kind}SecondsTotal", FieldKind.Counter, $"kubemonitor_pod_pressure_{resource}_{kind}_seconds_total", read,
            RateName: $"{kind}SecondsPerSecond", InRollups: false);
}

internal static class ContainerFields
{
    public static readonly FieldTable<ContainerSample> Table = new("container",
        new("cpu", "usageSecondsTotal", FieldKind.Counter, "kubemonitor_container_cpu_usage_seconds_total", s => s.Cpu?.UsageSecondsTotal, RateName: "usageCores"),
        new("memory", "workingSetBytes", FieldKind.Gauge, "kubemonitor_container_memory_working_set_bytes", s => s.Memory?.WorkingSetBytes),
        new("cpu", "requestCores", FieldKind.Gauge, "kubemonitor_container_cpu_request_cores", s => s.Resources?.CpuRequestCores, Pushed: "resources.cpuRequestCores"),
        new("cpu", "limitCores", FieldKind.Gauge, "kubemonitor_container_cpu_limit_cores", s => s.Resources?.CpuLimitCores, Pushed: "resources.cpuLimitCores"),
        new("memory", "requestBytes", FieldKind.Gauge, "kubemonitor_container_memory_request_bytes", s => s.Resources?.MemoryRequestBytes, Pushed: "resources.memoryRequestBytes"),
        new("memory", "limitBytes", FieldKind.Gauge, "kubemonitor_container_memory_limit_bytes", s => s.Resources?.MemoryLimitBytes, Pushed: "resources.memoryLimitBytes"),
        new("cpu", "throttledSecondsTotal", FieldKind.Counter, "kubemonitor_container_cpu_throttled_seconds_total", s => s.Cpu?.ThrottledSecondsTotal, RateName: "throttledSecondsPerSecond"),
        new("cpu", "throttledPeriodsTotal", FieldKind.Counter, "kubemonitor_container_cpu_throttled_periods_total", s => s.Cpu?.ThrottledPeriodsTotal),
        new("cpu", "periodsTotal", FieldKind.Counter, "kubemonitor_container_cpu_periods_total", s => s.Cpu?.PeriodsTotal),
        new("memory", "oomKillsTotal", FieldKind.Counter, "kubemonitor_container_oom_kills_total", s => s.Memory?.OomKillsTotal, IncreaseName: "oomKills"));

    public static int Count => Table.Count;
}

using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Collectors;
using KubeMonitor.Exporter.Metrics;
using KubeMonitor.Exporter.Tests.Support;
using KubeMonitor.TestSupport;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace KubeMonitor.Exporter.Tests.Metrics;

public sealed class ExporterMetricsTests
{
    private readonly ExporterMetrics _metrics = new(Prometheus.Metrics.NewCustomRegistry());

    private static CollectionResult CollectFixture(string folder)
    {
        var root = FixtureRoots.Proc(folder);
        var runner = new CollectionRunner(
            "node-1",
            [new NodeCpuCollector(root), new NodeMemoryCollector(root), new NodeDiskCollector(root), new NodeNetworkCollector(root)],
            new FakeTimeProvider(), // durations are exactly 0 on a clock that does not move
            new ListLogger<CollectionRunner>());
        return runner.Collect();
    }

    private static CollectionResult Result(NodeSnapshot snapshot) => new(snapshot, []);

    private static NodeSnapshot Snapshot(params PodSnapshot[] pods) =>
        new() { NodeName = "node-1", Timestamp = DateTimeOffset.UnixEpoch, Pods = pods };

    private Task<string> TextAsync(ExpositionFormat format = ExpositionFormat.PrometheusText) => Exposition.TextAsync(_metrics.Registry, format);

    // The node series over proc/procfs-8cpu, each number worked out by hand in the parser tests:
    // cpu 418322 ticks / 100; 8 cpuN lines; MemTotal 15666184 kB x 1024; available (no MemAvailable)
    // (440324 + 1020128 + 12007640 + 1738124 - 1308) kB x 1024; used = the difference; disk rows as in
    // DiskstatsParserTests (sectors x 512, file order); net/dev bytes columns as written.
    private const string ProcfsNodeSeries = """
        # HELP kubemonitor_node_cpu_usage_seconds_total CPU time the node spent working (user+nice+system+irq+softirq over all CPUs of /proc/stat), in seconds.
        # TYPE kubemonitor_node_cpu_usage_seconds_total counter
        kubemonitor_node_cpu_usage_seconds_total{node="node-1"} 4183.22
        # HELP kubemonitor_node_cpu_capacity_cores Number of CPUs of the node (cpuN lines of /proc/stat).
        # TYPE kubemonitor_node_cpu_capacity_cores gauge
        kubemonitor_node_cpu_capacity_cores{node="node-1"} 8
        # HELP kubemonitor_node_memory_total_bytes MemTotal of /proc/meminfo, in bytes.
        # TYPE kubemonitor_node_memory_total_bytes gauge
        kubemonitor_node_memory_total_bytes{node="node-1"} 16042172416
        # HELP kubemonitor_node_memory_available_bytes MemAvailable of /proc/meminfo (estimated on kernels without it), in bytes.
        # TYPE kubemonitor_node_memory_available_bytes gauge
        kubemonitor_node_memory_available_bytes{node="node-1"} 15569825792
        # HELP kubemonitor_node_memory_used_bytes Total minus available memory, in bytes.
        # TYPE kubemonitor_node_memory_used_bytes gauge
        kubemonitor_node_memory_used_bytes{node="node-1"} 472346624
        # HELP kubemonitor_node_disk_read_bytes_total Bytes read from the block device (sectors of /proc/diskstats x 512).
        # TYPE kubemonitor_node_disk_read_bytes_total counter
        kubemonitor_node_disk_read_bytes_total{node="node-1",device="sda"} 513713216512
        kubemonitor_node_disk_read_bytes_total{node="node-1",device="dm-0"} 513708655616
        kubemonitor_node_disk_read_bytes_total{node="node-1",device="dm-1"} 1589248
        kubemonitor_node_disk_read_bytes_total{node="node-1",device="dm-2"} 157875200
        kubemonitor_node_disk_read_bytes_total{node="node-1",device="dm-3"} 1981440
        kubemonitor_node_disk_read_bytes_total{node="node-1",device="dm-4"} 529408
        kubemonitor_node_disk_read_bytes_total{node="node-1",device="dm-5"} 43150848
        kubemonitor_node_disk_read_bytes_total{node="node-1",device="mmcblk0"} 798720
        kubemonitor_node_disk_read_bytes_total{node="node-1",device="mmcblk0p1"} 81920
        kubemonitor_node_disk_read_bytes_total{node="node-1",device="mmcblk0p2"} 389120
        kubemonitor_node_disk_read_bytes_total{node="node-1",device="vda"} 16727491584
        kubemonitor_node_disk_read_bytes_total{node="node-1",device="sr0"} 0
        kubemonitor_node_disk_read_bytes_total{node="node-1",device="nvme0n1"} 2377714176
        kubemonitor_node_disk_read_bytes_total{node="node-1",device="sdb"} 4944782848
        kubemonitor_node_disk_read_bytes_total{node="node-1",device="sdc"} 296531968
        # HELP kubemonitor_node_disk_written_bytes_total Bytes written to the block device (sectors of /proc/diskstats x 512).
        # TYPE kubemonitor_node_disk_written_bytes_total counter
        kubemonitor_node_disk_written_bytes_total{node="node-1",device="sda"} 258916880384
        kubemonitor_node_disk_written_bytes_total{node="node-1",device="dm-0"} 258916802560
        kubemonitor_node_disk_written_bytes_total{node="node-1",device="dm-1"} 303104
        kubemonitor_node_disk_written_bytes_total{node="node-1",device="dm-2"} 2607828992
        kubemonitor_node_disk_written_bytes_total{node="node-1",device="dm-3"} 0
        kubemonitor_node_disk_written_bytes_total{node="node-1",device="dm-4"} 70144
        kubemonitor_node_disk_written_bytes_total{node="node-1",device="dm-5"} 589664256
        kubemonitor_node_disk_written_bytes_total{node="node-1",device="mmcblk0"} 0
        kubemonitor_node_disk_written_bytes_total{node="node-1",device="mmcblk0p1"} 0
        kubemonitor_node_disk_written_bytes_total{node="node-1",device="mmcblk0p2"} 0
        kubemonitor_node_disk_written_bytes_total{node="node-1",device="vda"} 109382369280
        kubemonitor_node_disk_written_bytes_total{node="node-1",device="sr0"} 0
        kubemonitor_node_disk_written_bytes_total{node="node-1",device="nvme0n1"} 20199236096
        kubemonitor_node_disk_written_bytes_total{node="node-1",device="sdb"} 1010127360
        kubemonitor_node_disk_written_bytes_total{node="node-1",device="sdc"} 92416000
        # HELP kubemonitor_node_network_receive_bytes_total Bytes received on the interface (/proc/net/dev).
        # TYPE kubemonitor_node_network_receive_bytes_total counter
        kubemonitor_node_network_receive_bytes_total{node="node-1",interface="vethf345468"} 648
        kubemonitor_node_network_receive_bytes_total{node="node-1",interface="lo"} 1664039048
        kubemonitor_node_network_receive_bytes_total{node="node-1",interface="docker0"} 2568
        kubemonitor_node_network_receive_bytes_total{node="node-1",interface="eth0"} 874354587
        # HELP kubemonitor_node_network_transmit_bytes_total Bytes transmitted on the interface (/proc/net/dev).
        # TYPE kubemonitor_node_network_transmit_bytes_total counter
        kubemonitor_node_network_transmit_bytes_total{node="node-1",interface="vethf345468"} 438
        kubemonitor_node_network_transmit_bytes_total{node="node-1",interface="lo"} 1664039048
        kubemonitor_node_network_transmit_bytes_total{node="node-1",interface="docker0"} 438
        kubemonitor_node_network_transmit_bytes_total{node="node-1",interface="eth0"} 563352563

        """;

    [Fact]
    public async Task Node_series_over_the_procfs_fixture_in_the_text_format()
    {
        _metrics.Publish(CollectFixture("procfs-8cpu"));

        var text = await TextAsync();

        Assert.Equal(ProcfsNodeSeries.ReplaceLineEndings("\n"), Exposition.Only(text, "kubemonitor_node_cpu_", "kubemonitor_node_memory_", "kubemonitor_node_disk_", "kubemonitor_node_network_"));
        Assert.Equal(
            """
            kubemonitor_exporter_collector_duration_seconds{collector="cpu"} 0
            kubemonitor_exporter_collector_duration_seconds{collector="meminfo"} 0
            kubemonitor_exporter_collector_duration_seconds{collector="diskstats"} 0
            kubemonitor_exporter_collector_duration_seconds{collector="netdev"} 0
            kubemonitor_exporter_collector_success{collector="cpu"} 1
            kubemonitor_exporter_collector_success{collector="meminfo"} 1
            kubemonitor_exporter_collector_success{collector="diskstats"} 1
            kubemonitor_exporter_collector_success{collector="netdev"} 1

            """.ReplaceLineEndings("\n"),
            Exposition.Only(text, "kubemonitor_exporter_collector_success{", "kubemonitor_exporter_collector_duration_seconds{"));
        // No pod was found, so no pod or container sample (their HELP/TYPE may stay).
        Assert.DoesNotContain("\nkubemonitor_pod_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\nkubemonitor_container_", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_series_in_OpenMetrics_name_counter_families_without_total_and_end_with_EOF()
    {
        _metrics.Publish(CollectFixture("procfs-8cpu"));

        var text = await TextAsync(ExpositionFormat.OpenMetricsText);

        Assert.Equal(
            """
            # HELP kubemonitor_node_cpu_usage_seconds CPU time the node spent working (user+nice+system+irq+softirq over all CPUs of /proc/stat), in seconds.
            # TYPE kubemonitor_node_cpu_usage_seconds counter
            kubemonitor_node_cpu_usage_seconds_total{node="node-1"} 4183.22
            # HELP kubemonitor_node_cpu_capacity_cores Number of CPUs of the node (cpuN lines of /proc/stat).
            # TYPE kubemonitor_node_cpu_capacity_cores gauge
            kubemonitor_node_cpu_capacity_cores{node="node-1"} 8.0
            # HELP kubemonitor_node_memory_total_bytes MemTotal of /proc/meminfo, in bytes.
            # TYPE kubemonitor_node_memory_total_bytes gauge
            kubemonitor_node_memory_total_bytes{node="node-1"} 16042172416.0

            """.ReplaceLineEndings("\n"),
            Exposition.Only(text, "kubemonitor_node_cpu_", "kubemonitor_node_memory_total_bytes"));
        Assert.Contains("kubemonitor_node_disk_read_bytes_total{node=\"node-1\",device=\"sda\"} 513713216512.0\n", text, StringComparison.Ordinal);
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pods_and_containers_carry_their_kubernetes_names_or_the_uid_until_metadata_is_known_and_unnamed_sandboxes_are_left_out()
    {
        var known = new PodSnapshot
        {
            Uid = "4b1c8f57-3c52-4a5e-9a7e-2f3d1c0b9a11",
            QosClass = "burstable",
            Stats = new CgroupStats { CpuUsageSeconds = 12.3, MemoryUsageBytes = 120000000, MemoryWorkingSetBytes = 104857600 },
            Containers =
            [
                new ContainerSnapshot { Id = "aaaa", Name = "app", Stats = new CgroupStats { CpuUsageSeconds = 12.1, MemoryWorkingSetBytes = 100000000, OomKills = 2 } },
                new ContainerSnapshot { Id = "bbbb", Stats = new CgroupStats { CpuUsageSeconds = 0.2 } }, // unnamed by the API (the sandbox): left out
            ],
            Network = new NetworkTotals(2048, 1024),
            Metadata = new PodMetadata("test-dep-7c9f8d6b5-x2x4q", "test-ns", "4b1c8f57-3c52-4a5e-9a7e-2f3d1c0b9a11", "ReplicaSet", "test-dep-7c9f8d6b5", "test-dep", new Dictionary<string, string>()),
        };
        var unknown = new PodSnapshot
        {
            Uid = "8712f785-1a3e-41ec-a00b-e2dcc77431cb",
            QosClass = "besteffort",
            Stats = new CgroupStats { CpuUsageSeconds = 1.5, CpuPressure = new Pressure(0.25, null) },
            Containers = [],
        };

        _metrics.Publish(Result(Snapshot(known, unknown)));
        var text = await TextAsync();

        Assert.Equal(
            """
            kubemonitor_pod_info{namespace="test-ns",pod="test-dep-7c9f8d6b5-x2x4q",node="node-1",uid="4b1c8f57-3c52-4a5e-9a7e-2f3d1c0b9a11",owner_kind="ReplicaSet",owner_name="test-dep-7c9f8d6b5",deployment="test-dep"} 1
            kubemonitor_pod_info{namespace="",pod="8712f785-1a3e-41ec-a00b-e2dcc77431cb",node="node-1",uid="8712f785-1a3e-41ec-a00b-e2dcc77431cb",owner_kind="",owner_name="",deployment=""} 1
            kubemonitor_pod_cpu_usage_seconds_total{namespace="test-ns",pod="test-dep-7c9f8d6b5-x2x4q",node="node-1"} 12.3
            kubemonitor_pod_cpu_usage_seconds_total{namespace="",pod="8712f785-1a3e-41ec-a00b-e2dcc77431cb",node="node-1"} 1.5
            kubemonitor_pod_memory_working_set_bytes{namespace="test-ns",pod="test-dep-7c9f8d6b5-x2x4q",node="node-1"} 104857600
            kubemonitor_pod_memory_usage_bytes{namespace="test-ns",pod="test-dep-7c9f8d6b5-x2x4q",node="node-1"} 120000000
            kubemonitor_pod_network_receive_bytes_total{namespace="test-ns",pod="test-dep-7c9f8d6b5-x2x4q",node="node-1"} 2048
            kubemonitor_pod_network_transmit_bytes_total{namespace="test-ns",pod="test-dep-7c9f8d6b5-x2x4q",node="node-1"} 1024
            kubemonitor_pod_pressure_cpu_waiting_seconds_total{namespace="",pod="8712f785-1a3e-41ec-a00b-e2dcc77431cb",node="node-1"} 0.25
            kubemonitor_container_cpu_usage_seconds_total{namespace="test-ns",pod="test-dep-7c9f8d6b5-x2x4q",container="app",node="node-1"} 12.1
            kubemonitor_container_memory_working_set_bytes{namespace="test-ns",pod="test-dep-7c9f8d6b5-x2x4q",container="app",node="node-1"} 100000000
            kubemonitor_container_oom_kills_total{namespace="test-ns",pod="test-dep-7c9f8d6b5-x2x4q",container="app",node="node-1"} 2

            """.ReplaceLineEndings("\n"),
            string.Concat(text.Split('\n').Where(l => l.StartsWith("kubemonitor_pod_", StringComparison.Ordinal) || l.StartsWith("kubemonitor_container_", StringComparison.Ordinal)).Select(l => l + "\n")));
    }

    [Fact]
    public async Task Every_series_of_the_contract_appears_with_its_type_when_every_value_is_known()
    {
        var stats = new CgroupStats
        {
            CpuUsageSeconds = 1, MemoryUsageBytes = 2, MemoryWorkingSetBytes = 3, MemoryRssBytes = 4, MemoryCacheBytes = 5,
            MemoryActiveFileBytes = 6, MemoryInactiveFileBytes = 7, DiskReadBytes = 8, DiskWrittenBytes = 9, CpuPeriods = 10,
            CpuThrottledPeriods = 11, CpuThrottledSeconds = 12, OomKills = 13,
            CpuPressure = new Pressure(14, 15), MemoryPressure = new Pressure(16, 17), IoPressure = new Pressure(18, 19),
        };
        var pod = new PodSnapshot
        {
            Uid = "u1", QosClass = "guaranteed", Stats = stats, Containers = [new ContainerSnapshot { Id = "c1", Name = "app", Stats = stats }], Network = new(20, 21),
            Metadata = new PodMetadata("web-1", "shop", "u1", null, null, null, new Dictionary<string, string> { ["c1"] = "app" })
            {
                Labels = new Dictionary<string, string> { ["app"] = "web" },
                Containers = [new ContainerResources("app", new RequestsAndLimits(0.25, 0.5, 22, 23))],
                Resources = new RequestsAndLimits(0.25, 0.5, 22, 23),
            },
        };
        var snapshot = Snapshot(pod);
        snapshot.Labels = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" };
        snapshot.Cpu = new NodeCpu(1, 1);
        snapshot.Memory = new NodeMemory(2, 1);
        snapshot.Disks = [new DiskDevice("vda", 1, 2)];
        snapshot.Interfaces = [new NetworkInterface("eth0", 1, 2)];
        snapshot.ReadErrors.Add(new ReadError("memory.stat", "/sys/fs/cgroup/memory/kubepods/pod-x/memory.stat", "memory.stat (v1): malformed line 'total_rss'."));
        _metrics.Publish(new CollectionResult(snapshot, [new CollectorResult("cpu", TimeSpan.FromMilliseconds(1.5), true, null)]));

        var text = await TextAsync();

        // docs/api.md sections 4 and 6, name by name, with the type they fix; plus the extra memory series.
        string[] counters =
        [
            "kubemonitor_node_cpu_usage_seconds_total", "kubemonitor_node_disk_read_bytes_total", "kubemonitor_node_disk_written_bytes_total",
            "kubemonitor_node_network_receive_bytes_total", "kubemonitor_node_network_transmit_bytes_total",
            "kubemonitor_pod_cpu_usage_seconds_total", "kubemonitor_pod_disk_read_bytes_total", "kubemonitor_pod_disk_written_bytes_total",
            "kubemonitor_pod_network_receive_bytes_total", "kubemonitor_pod_network_transmit_bytes_total",
            "kubemonitor_container_cpu_usage_seconds_total", "kubemonitor_container_cpu_throttled_seconds_total",
            "kubemonitor_container_cpu_throttled_periods_total", "kubemonitor_container_cpu_periods_total", "kubemonitor_container_oom_kills_total",
            "kubemonitor_pod_pressure_cpu_waiting_seconds_total", "kubemonitor_pod_pressure_cpu_stalled_seconds_total",
            "kubemonitor_pod_pressure_memory_waiting_seconds_total", "kubemonitor_pod_pressure_memory_stalled_seconds_total",
            "kubemonitor_pod_pressure_io_waiting_seconds_total", "kubemonitor_pod_pressure_io_stalled_seconds_total",
            "kubemonitor_exporter_read_errors_total",
            "kubemonitor_pod_cpu_throttled_seconds_total", "kubemonitor_pod_cpu_throttled_periods_total", "kubemonitor_pod_cpu_periods_total",
            "kubemonitor_pod_oom_kills_total",
        ];
        string[] gauges =
        [
            "kubemonitor_node_cpu_capacity_cores", "kubemonitor_node_memory_total_bytes", "kubemonitor_node_memory_available_bytes",
            "kubemonitor_node_memory_used_bytes", "kubemonitor_pod_info", "kubemonitor_pod_memory_working_set_bytes", "kubemonitor_pod_memory_usage_bytes",
            "kubemonitor_container_memory_working_set_bytes", "kubemonitor_exporter_collector_duration_seconds", "kubemonitor_exporter_collector_success",
            "kubemonitor_pod_memory_rss_bytes", "kubemonitor_pod_memory_cache_bytes", "kubemonitor_pod_memory_active_file_bytes",
            "kubemonitor_pod_memory_inactive_file_bytes", "kubemonitor_container_memory_usage_bytes", "kubemonitor_container_memory_rss_bytes",
            "kubemonitor_container_memory_cache_bytes", "kubemonitor_container_memory_active_file_bytes", "kubemonitor_container_memory_inactive_file_bytes",
            "kubemonitor_pod_labels", "kubemonitor_node_labels", "kubemonitor_container_cpu_request_cores", "kubemonitor_container_cpu_limit_cores",
            "kubemonitor_container_memory_request_bytes", "kubemonitor_container_memory_limit_bytes",
            "kubemonitor_pod_cpu_request_cores", "kubemonitor_pod_cpu_limit_cores", "kubemonitor_pod_memory_request_bytes", "kubemonitor_pod_memory_limit_bytes",
        ];
        foreach (var name in counters) Assert.Contains($"# TYPE {name} counter\n{name}{{", text, StringComparison.Ordinal);
        foreach (var name in gauges) Assert.Contains($"# TYPE {name} gauge\n{name}{{", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_container_cpu_throttled_seconds_total{namespace=\"shop\",pod=\"web-1\",container=\"app\",node=\"node-1\"} 12\n", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_pod_cpu_throttled_periods_total{namespace=\"shop\",pod=\"web-1\",node=\"node-1\"} 11\n", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_pod_oom_kills_total{namespace=\"shop\",pod=\"web-1\",node=\"node-1\"} 13\n", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_pod_pressure_io_stalled_seconds_total{namespace=\"shop\",pod=\"web-1\",node=\"node-1\"} 19\n", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_container_memory_limit_bytes{namespace=\"shop\",pod=\"web-1\",container=\"app\",node=\"node-1\"} 23\n", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_pod_cpu_limit_cores{namespace=\"shop\",pod=\"web-1\",node=\"node-1\"} 0.5\n", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_pod_labels{namespace=\"shop\",pod=\"web-1\",node=\"node-1\",label_app=\"web\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_node_labels{node=\"node-1\",label_kubernetes_io_os=\"linux\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_exporter_collector_duration_seconds{collector=\"cpu\"} 0.0015\n", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_exporter_read_errors_total{file=\"memory.stat\"} 1\n", text, StringComparison.Ordinal);
        Assert.Equal(counters.Length + gauges.Length, text.Split('\n').Count(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_counter_that_goes_down_restarts_at_the_new_value()
    {
        // cpu-count-decrease: 345.69 s with two CPUs, then 150.54 s when cpu1 went offline
        // (see ProcStatParserTests). IncTo alone would keep showing 345.69.
        _metrics.Publish(CollectFixture("stat-sequences/cpu-count-decrease/0"));
        Assert.Contains("kubemonitor_node_cpu_usage_seconds_total{node=\"node-1\"} 345.69\n", await TextAsync(), StringComparison.Ordinal);

        _metrics.Publish(CollectFixture("stat-sequences/cpu-count-decrease/1"));
        var text = await TextAsync();

        Assert.Contains("kubemonitor_node_cpu_usage_seconds_total{node=\"node-1\"} 150.54\n", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_node_cpu_capacity_cores{node=\"node-1\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_counter_follows_the_kernel_value_upwards_exactly()
    {
        // cpu-times-decrease: iowait goes down between samples, usage does not: 0.2, 0.39, 0.59 s.
        foreach (var (sample, expected) in new[] { ("0", "0.2"), ("1", "0.39"), ("2", "0.59") })
        {
            _metrics.Publish(CollectFixture($"stat-sequences/cpu-times-decrease/{sample}"));
            Assert.Contains($"kubemonitor_node_cpu_usage_seconds_total{{node=\"node-1\"}} {expected}\n", await TextAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_restarted_containers_counters_restart_too()
    {
        PodSnapshot Pod(double cpu, ulong oomKills) => new()
        {
            Uid = "u1",
            QosClass = "burstable",
            Stats = new CgroupStats(),
            Containers = [new ContainerSnapshot { Id = "c", Name = "app", Stats = new CgroupStats { CpuUsageSeconds = cpu, OomKills = oomKills } }],
        };

        _metrics.Publish(Result(Snapshot(Pod(100, 3))));
        _metrics.Publish(Result(Snapshot(Pod(0.5, 0))));
        var text = await TextAsync();

        Assert.Contains("kubemonitor_container_cpu_usage_seconds_total{namespace=\"\",pod=\"u1\",container=\"app\",node=\"node-1\"} 0.5\n", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_container_oom_kills_total{namespace=\"\",pod=\"u1\",container=\"app\",node=\"node-1\"} 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Series_of_vanished_pods_containers_devices_and_interfaces_are_removed()
    {
        PodSnapshot Pod(string uid, params string[] containers) => new()
        {
            Uid = uid,
            QosClass = "burstable",
            Stats = new CgroupStats { CpuUsageSeconds = 1, MemoryWorkingSetBytes = 1 },
            Containers = [.. containers.Select(c => new ContainerSnapshot { Id = c, Name = c, Stats = new CgroupStats { CpuUsageSeconds = 1 } })],
        };
        var before = Snapshot(Pod("stays", "a", "b"), Pod("goes", "x"));
        before.Disks = [new DiskDevice("vda", 1, 1), new DiskDevice("sdb", 1, 1)];
        before.Interfaces = [new NetworkInterface("eth0", 1, 1), new NetworkInterface("veth1", 1, 1)];
        var after = Snapshot(Pod("stays", "a"));
        after.Disks = [new DiskDevice("vda", 2, 2)];
        after.Interfaces = [new NetworkInterface("eth0", 2, 2)];

        _metrics.Publish(Result(before));
        Assert.Contains("pod=\"goes\"", await TextAsync(), StringComparison.Ordinal);
        _metrics.Publish(Result(after));
        var text = await TextAsync();

        Assert.DoesNotContain("pod=\"goes\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("container=\"b\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sdb", text, StringComparison.Ordinal);
        Assert.DoesNotContain("veth1", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_container_cpu_usage_seconds_total{namespace=\"\",pod=\"stays\",container=\"a\",node=\"node-1\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_node_disk_read_bytes_total{node=\"node-1\",device=\"vda\"} 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pod_whose_metadata_arrives_moves_to_its_name_without_leaving_the_uid_series_behind()
    {
        PodSnapshot Pod(PodMetadata? metadata) => new()
        {
            Uid = "u1", QosClass = "burstable", Stats = new CgroupStats { CpuUsageSeconds = 3 }, Containers = [], Metadata = metadata,
        };

        _metrics.Publish(Result(Snapshot(Pod(null))));
        _metrics.Publish(Result(Snapshot(Pod(new PodMetadata("web-0", "shop", "u1", "StatefulSet", "web", null, new Dictionary<string, string>())))));
        var text = await TextAsync();

        Assert.DoesNotContain("pod=\"u1\"", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_pod_info{namespace=\"shop\",pod=\"web-0\",node=\"node-1\",uid=\"u1\",owner_kind=\"StatefulSet\",owner_name=\"web\",deployment=\"\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_pod_cpu_usage_seconds_total{namespace=\"shop\",pod=\"web-0\",node=\"node-1\"} 3\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_collector_takes_its_series_out_instead_of_freezing_them()
    {
        var snapshot = Snapshot();
        snapshot.Cpu = new NodeCpu(10, 2);
        _metrics.Publish(Result(snapshot));

        _metrics.Publish(Result(Snapshot())); // the cpu collector failed: Cpu stays null

        Assert.DoesNotContain("\nkubemonitor_node_cpu", await TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_containers_with_one_name_do_not_flap_a_counter()
    {
        // An old container's cgroup can outlive its restart for a moment: same name, two ids.
        var pod = new PodSnapshot
        {
            Uid = "u1",
            QosClass = "burstable",
            Stats = new CgroupStats(),
            Containers =
            [
                new ContainerSnapshot { Id = "new", Name = "app", Stats = new CgroupStats { CpuUsageSeconds = 1 } },
                new ContainerSnapshot { Id = "old", Name = "app", Stats = new CgroupStats { CpuUsageSeconds = 500 } },
            ],
        };

        _metrics.Publish(Result(Snapshot(pod)));

        Assert.Contains("kubemonitor_container_cpu_usage_seconds_total{namespace=\"\",pod=\"u1\",container=\"app\",node=\"node-1\"} 1\n", await TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_late_publish_of_an_older_collection_is_ignored()
    {
        // Two scrapes at once: the second collection finishes publishing first.
        var older = CollectFixture("stat-sequences/cpu-times-decrease/1") with { Sequence = 1 };
        var newer = CollectFixture("stat-sequences/cpu-times-decrease/2") with { Sequence = 2 };

        _metrics.Publish(newer);
        _metrics.Publish(older);

        Assert.Contains("kubemonitor_node_cpu_usage_seconds_total{node=\"node-1\"} 0.59\n", await TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promtool_accepts_every_series()
    {
        var stats = new CgroupStats
        {
            CpuUsageSeconds = 1, MemoryUsageBytes = 2, MemoryWorkingSetBytes = 3, MemoryRssBytes = 4, MemoryCacheBytes = 5,
            MemoryActiveFileBytes = 6, MemoryInactiveFileBytes = 7, DiskReadBytes = 8, DiskWrittenBytes = 9, CpuPeriods = 10,
            CpuThrottledPeriods = 11, CpuThrottledSeconds = 12, OomKills = 13,
            CpuPressure = new Pressure(14, 15), MemoryPressure = new Pressure(16, 17), IoPressure = new Pressure(18, 19),
        };
        var result = CollectFixture("procfs-8cpu");
        result.Snapshot.Pods = [new PodSnapshot { Uid = "u1", QosClass = "guaranteed", Stats = stats, Containers = [new ContainerSnapshot { Id = "c1", Stats = stats }], Network = new(20, 21) }];
        _metrics.Publish(result);

        Assert.Equal("", await Promtool.CheckMetricsAsync(await TextAsync()));
    }

    [Fact]
    public void Uses_its_own_registry_not_the_default_one()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new ExporterMetrics(registry);

        Assert.Same(registry, metrics.Registry);
        Assert.NotSame(Prometheus.Metrics.DefaultRegistry, metrics.Registry);
        _ = RepoPaths.Root; // fixtures are reachable from here (used by the other tests)
    }
}

using System.Text.Json;
using KubeMonitor.Contracts;
using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Push;

namespace KubeMonitor.Exporter.Tests.Push;

/// <summary>docs/api.md section 6 in the batch: labels, requests and limits, throttling, OOM kills and pressure.</summary>
public sealed class BatchMapperSection6Tests
{
    private static readonly RequestsAndLimits App = new(0.25, 0.5, 64 * 1024 * 1024, 128 * 1024 * 1024);
    private static readonly RequestsAndLimits Sidecar = new(0.1, null, 16 * 1024 * 1024, 32 * 1024 * 1024);

    private static NodeSnapshot Snapshot() => new()
    {
        NodeName = "node-1",
        Timestamp = DateTimeOffset.UnixEpoch,
        Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = "node-1", ["topology.kubernetes.io/zone"] = "eu-west-1a" },
        Pods =
        [
            new PodSnapshot
            {
                Uid = "u1",
                QosClass = "burstable",
                Stats = new CgroupStats
                {
                    CpuUsageSeconds = 10, CpuPeriods = 1200, CpuThrottledPeriods = 30, CpuThrottledSeconds = 1.5, OomKills = 1,
                    MemoryWorkingSetBytes = 100,
                    CpuPressure = new Pressure(4.2, 0.8), MemoryPressure = new Pressure(0.1, 0.05), IoPressure = new Pressure(2, null),
                },
                Containers =
                [
                    new ContainerSnapshot { Id = "a", Name = "app", Stats = new CgroupStats { CpuUsageSeconds = 9, CpuPeriods = 1100, CpuThrottledPeriods = 29, CpuThrottledSeconds = 1.4, OomKills = 1 } },
                    new ContainerSnapshot { Id = "s", Name = "sidecar", Stats = new CgroupStats { CpuUsageSeconds = 1, CpuPeriods = 0, CpuThrottledPeriods = 0, CpuThrottledSeconds = 0, OomKills = 0 } },
                    // Running but not a regular container of the spec (an init container): no requests or limits of its own.
                    new ContainerSnapshot { Id = "i", Name = "init", Stats = new CgroupStats { CpuUsageSeconds = 0.5 } },
                ],
                Metadata = new PodMetadata("web-1", "shop", "u1", null, null, null, new Dictionary<string, string>())
                {
                    Labels = new Dictionary<string, string> { ["app"] = "web", ["app.kubernetes.io/name"] = "web" },
                    Containers = [new ContainerResources("app", App), new ContainerResources("sidecar", Sidecar)],
                    // The sidecar sets no CPU limit, so the pod has none (RequestsAndLimitsTests).
                    Resources = new RequestsAndLimits(0.35, null, 80 * 1024 * 1024, 160 * 1024 * 1024),
                },
            },
        ],
    };

    [Fact]
    public void Labels_requests_limits_throttling_oom_kills_and_pressure_are_sent_for_pods_and_containers()
    {
        var batch = BatchMapper.Map(Snapshot()).Batch;

        Assert.Equal("eu-west-1a", batch.Node!.Labels!["topology.kubernetes.io/zone"]);
        var pod = Assert.Single(batch.Pods!);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "web", ["app.kubernetes.io/name"] = "web" }, pod.Labels);
        Assert.Equal(new ResourcesSection { CpuRequestCores = 0.35, MemoryRequestBytes = 83_886_080, MemoryLimitBytes = 167_772_160 }, pod.Resources);
        Assert.Equal(new CpuSection { UsageSecondsTotal = 10, ThrottledSecondsTotal = 1.5, ThrottledPeriodsTotal = 30, PeriodsTotal = 1200 }, pod.Cpu);
        Assert.Equal(new MemorySection { WorkingSetBytes = 100, OomKillsTotal = 1 }, pod.Memory);
        Assert.Equal(new PressureStall { WaitingSecondsTotal = 4.2, StalledSecondsTotal = 0.8 }, pod.Pressure!.Cpu);
        Assert.Equal(new PressureStall { WaitingSecondsTotal = 0.1, StalledSecondsTotal = 0.05 }, pod.Pressure.Memory);
        Assert.Equal(new PressureStall { WaitingSecondsTotal = 2 }, pod.Pressure.Io);

        var (app, sidecar, init) = (pod.Containers![0], pod.Containers[1], pod.Containers[2]);
        Assert.Equal(new ResourcesSection { CpuRequestCores = 0.25, CpuLimitCores = 0.5, MemoryRequestBytes = 67_108_864, MemoryLimitBytes = 134_217_728 }, app.Resources);
        Assert.Equal(new CpuSection { UsageSecondsTotal = 9, ThrottledSecondsTotal = 1.4, ThrottledPeriodsTotal = 29, PeriodsTotal = 1100 }, app.Cpu);
        Assert.Equal(new MemorySection { OomKillsTotal = 1 }, app.Memory);
        Assert.Equal(new ResourcesSection { CpuRequestCores = 0.1, MemoryRequestBytes = 16_777_216, MemoryLimitBytes = 33_554_432 }, sidecar.Resources);
        Assert.Equal(new MemorySection { OomKillsTotal = 0 }, sidecar.Memory); // zero is a value, not absence
        Assert.Equal("init", init.Name);
        Assert.Null(init.Resources);
    }

    [Fact]
    public void The_wire_shape_names_the_new_fields_as_section_6_does()
    {
        using var json = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(BatchMapper.Map(Snapshot()).Batch, ContractJson.Default.Batch));
        var node = json.RootElement.GetProperty("node");
        var pod = json.RootElement.GetProperty("pods")[0];

        Assert.Equal(["labels"], node.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["name", "namespace", "uid", "labels", "resources", "cpu", "memory", "pressure", "containers"], pod.EnumerateObject().Select(p => p.Name));
        Assert.Equal("web", pod.GetProperty("labels").GetProperty("app.kubernetes.io/name").GetString());
        Assert.Equal(["cpuRequestCores", "memoryRequestBytes", "memoryLimitBytes"], pod.GetProperty("resources").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["usageSecondsTotal", "throttledSecondsTotal", "throttledPeriodsTotal", "periodsTotal"], pod.GetProperty("cpu").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["workingSetBytes", "oomKillsTotal"], pod.GetProperty("memory").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["waitingSecondsTotal"], pod.GetProperty("pressure").GetProperty("io").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["name", "resources", "cpu", "memory"], pod.GetProperty("containers")[0].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Unknown_labels_empty_resources_and_a_kernel_without_these_files_send_nothing_of_them()
    {
        var snapshot = Snapshot();
        snapshot.Labels = null; // no Node object known (no API server)
        var pod = snapshot.Pods![0];
        snapshot.Pods =
        [
            new PodSnapshot
            {
                Uid = pod.Uid,
                QosClass = "besteffort",
                // cgroup v1 without a cgroup2 mirror and without a CFS quota file: usage only.
                Stats = new CgroupStats { CpuUsageSeconds = 10 },
                Containers = [new ContainerSnapshot { Id = "a", Name = "app", Stats = new CgroupStats { CpuUsageSeconds = 9 } }],
                Metadata = new PodMetadata("web-1", "shop", "u1", null, null, null, new Dictionary<string, string>())
                {
                    Containers = [new ContainerResources("app", RequestsAndLimits.None)],
                },
            },
        ];

        var batch = BatchMapper.Map(snapshot).Batch;

        Assert.Null(batch.Node!.Labels);
        var sample = Assert.Single(batch.Pods!);
        Assert.Null(sample.Labels);
        Assert.Null(sample.Resources);
        Assert.Null(sample.Pressure);
        Assert.Null(sample.Memory);
        Assert.Equal(new CpuSection { UsageSecondsTotal = 10 }, sample.Cpu);
        var container = Assert.Single(sample.Containers!);
        Assert.Null(container.Resources);
        Assert.Equal(new CpuSection { UsageSecondsTotal = 9 }, container.Cpu);
    }

    [Fact]
    public void A_pod_or_node_with_more_labels_than_the_facade_takes_is_sent_without_them_and_counted()
    {
        var many = Enumerable.Range(0, SampleLimits.MaxLabels + 1).ToDictionary(i => $"team.example.com/k{i}", i => $"v{i}");
        var atTheLimit = Enumerable.Range(0, SampleLimits.MaxLabels).ToDictionary(i => $"k{i}", i => "v");
        var snapshot = Snapshot();
        snapshot.Labels = many;
        var pod = snapshot.Pods![0];
        PodSnapshot WithLabels(string uid, IReadOnlyDictionary<string, string> labels) => new()
        {
            Uid = uid, QosClass = pod.QosClass, Stats = pod.Stats, Containers = pod.Containers,
            Metadata = pod.Metadata! with { Name = "pod-" + uid, Uid = uid, Labels = labels },
        };
        snapshot.Pods = [WithLabels("over", many), WithLabels("at", atTheLimit)];

        var mapping = BatchMapper.Map(snapshot);

        Assert.Equal(2, mapping.LabelsLeftOut);   // the node and one pod
        Assert.Null(mapping.Batch.Node!.Labels);
        Assert.Null(mapping.Batch.Pods![0].Labels);
        Assert.NotNull(mapping.Batch.Pods[0].Resources); // the rest of the pod is sent as always
        Assert.Equal(SampleLimits.MaxLabels, mapping.Batch.Pods[1].Labels!.Count);
    }
}

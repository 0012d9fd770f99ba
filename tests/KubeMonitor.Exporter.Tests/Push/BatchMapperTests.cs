using System.Text.Json;
using KubeMonitor.Contracts;
using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Push;

namespace KubeMonitor.Exporter.Tests.Push;

public sealed class BatchMapperTests
{
    private static readonly DateTimeOffset CollectedAt = new(2026, 11, 26, 9, 0, 5, TimeSpan.FromHours(2));

    internal static NodeSnapshot FullSnapshot() => new()
    {
        NodeName = "node-1",
        Timestamp = CollectedAt,
        Cpu = new NodeCpu(81234.5, 4),
        Memory = new NodeMemory(8_340_000_000, 5_120_000_000),
        Disks = [new DiskDevice("sda", 1000, 2000), new DiskDevice("nvme0n1", 30, 40), new DiskDevice("dm-0", 500, 600)],
        Interfaces = [new NetworkInterface("lo", 9_999_999, 9_999_999), new NetworkInterface("eth0", 5000, 4000), new NetworkInterface("veth1", 70, 80)],
        Pods =
        [
            new PodSnapshot
            {
                Uid = "4b1c8f57-3c52-4a5e-9a7e-2f3d1c0b9a11",
                QosClass = "burstable",
                Stats = new CgroupStats { CpuUsageSeconds = 12.3, MemoryUsageBytes = 120_000_000, MemoryWorkingSetBytes = 104_857_600, DiskReadBytes = 0, DiskWrittenBytes = 1_048_576 },
                Network = new NetworkTotals(2048, 1024),
                Containers =
                [
                    new ContainerSnapshot { Id = "aaa", Name = "app", Stats = new CgroupStats { CpuUsageSeconds = 12.1, MemoryWorkingSetBytes = 100_000_000 } },
                    new ContainerSnapshot { Id = "bbb", Stats = new CgroupStats { CpuUsageSeconds = 0.1 } },
                    new ContainerSnapshot { Id = "ccc", Stats = new CgroupStats { CpuUsageSeconds = 0.05 } },
                ],
                Metadata = new PodMetadata(
                    "test-dep-7c9f8d6b5-x2x4q", "test-ns", "4b1c8f57-3c52-4a5e-9a7e-2f3d1c0b9a11",
                    "ReplicaSet", "test-dep-7c9f8d6b5", "test-dep",
                    new Dictionary<string, string> { ["ccc"] = "sidecar" }),
            },
            new PodSnapshot
            {
                Uid = "0000-unknown",
                QosClass = "besteffort",
                Stats = new CgroupStats { CpuUsageSeconds = 1 },
                Containers = [],
            },
        ],
    };

    [Fact]
    public void Node_totals_sum_counted_disks_and_leave_out_loopback()
    {
        var node = BatchMapper.Map(FullSnapshot()).Batch.Node!;

        Assert.Equal(81234.5, node.Cpu!.UsageSecondsTotal);
        Assert.Equal(4, node.Cpu.CapacityCores);
        Assert.Equal(8_340_000_000, node.Memory!.TotalBytes);
        Assert.Equal(5_120_000_000, node.Memory.AvailableBytes);
        Assert.Equal(3_220_000_000, node.Memory.UsedBytes);
        Assert.Equal(1530, node.Disk!.ReadBytesTotal);
        Assert.Equal(2640, node.Disk.WriteBytesTotal);
        Assert.Equal(5070, node.Network!.RxBytesTotal);
        Assert.Equal(4080, node.Network.TxBytesTotal);
    }

    [Fact]
    public void Pods_with_metadata_become_samples_and_unnamed_pods_are_counted()
    {
        var mapping = BatchMapper.Map(FullSnapshot());

        Assert.Equal(1, mapping.UnnamedPods);
        var pod = Assert.Single(mapping.Batch.Pods!);
        Assert.Equal("test-dep-7c9f8d6b5-x2x4q", pod.Name);
        Assert.Equal("test-ns", pod.Namespace);
        Assert.Equal("4b1c8f57-3c52-4a5e-9a7e-2f3d1c0b9a11", pod.Uid);
        Assert.Equal("ReplicaSet", pod.OwnerKind);
        Assert.Equal("test-dep-7c9f8d6b5", pod.OwnerName);
        Assert.Equal("test-dep", pod.Deployment);
        Assert.Null(pod.Node); // the path's node wins in a batch
        Assert.Null(pod.Timestamp); // no read time of its own: takes the batch's
        Assert.Equal(12.3, pod.Cpu!.UsageSecondsTotal);
        Assert.Equal(120_000_000, pod.Memory!.UsageBytes);
        Assert.Equal(104_857_600, pod.Memory.WorkingSetBytes);
        Assert.Equal(0, pod.Disk!.ReadBytesTotal);
        Assert.Equal(1_048_576, pod.Disk.WriteBytesTotal);
        Assert.Equal(2048, pod.Network!.RxBytesTotal);
        Assert.Equal(1024, pod.Network.TxBytesTotal);

        // "bbb" has no name anywhere and is left out; "ccc" is named by the metadata.
        Assert.Collection(
            pod.Containers!,
            app =>
            {
                Assert.Equal("app", app.Name);
                Assert.Equal(12.1, app.Cpu!.UsageSecondsTotal);
                Assert.Equal(100_000_000, app.Memory!.WorkingSetBytes);
            },
            sidecar =>
            {
                Assert.Equal("sidecar", sidecar.Name);
                Assert.Equal(0.05, sidecar.Cpu!.UsageSecondsTotal);
                Assert.Null(sidecar.Memory);
            });
    }

    [Fact]
    public void A_pod_read_after_the_collection_started_carries_its_own_read_time_in_milliseconds()
    {
        var snapshot = FullSnapshot();
        var readAt = CollectedAt.AddTicks(312_345_678); // 31.2345678 s later
        var pod = snapshot.Pods![0];
        snapshot.Pods = [new PodSnapshot { Uid = pod.Uid, QosClass = pod.QosClass, Stats = pod.Stats, Containers = pod.Containers, Metadata = pod.Metadata, ReadAt = readAt }];

        var batch = BatchMapper.Map(snapshot).Batch;

        Assert.Equal(CollectedAt, batch.Timestamp);
        Assert.Equal(CollectedAt.AddMilliseconds(31_234), Assert.Single(batch.Pods!).Timestamp);
        Assert.Contains("\"timestamp\":\"2026-11-26T07:00:36.234Z\"", JsonSerializer.Serialize(batch, ContractJson.Default.Batch), StringComparison.Ordinal);
    }

    [Fact]
    public void Timestamp_is_the_snapshot_time_in_utc()
    {
        var batch = BatchMapper.Map(FullSnapshot()).Batch;

        Assert.Equal(CollectedAt, batch.Timestamp);
        Assert.Equal(TimeSpan.Zero, batch.Timestamp!.Value.Offset);
        using var json = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(batch, ContractJson.Default.Batch));
        var text = json.RootElement.GetProperty("timestamp").GetString()!;
        Assert.StartsWith("2026-11-26T07:00:05", text, StringComparison.Ordinal);
        Assert.True(text.EndsWith('Z') || text.EndsWith("+00:00", StringComparison.Ordinal), text);
    }

    [Fact]
    public void Failed_collectors_and_absent_values_leave_their_sections_out()
    {
        var snapshot = new NodeSnapshot
        {
            NodeName = "node-1",
            Timestamp = CollectedAt,
            Memory = new NodeMemory(100, 40),
            Pods =
            [
                new PodSnapshot
                {
                    Uid = "u1",
                    QosClass = "guaranteed",
                    Stats = new CgroupStats { CpuUsageSeconds = 2 },
                    Containers = [new ContainerSnapshot { Id = "x", Stats = new CgroupStats() }],
                    Metadata = new PodMetadata("p", "default", "u1", null, null, null, new Dictionary<string, string>()),
                },
            ],
        };

        var batch = BatchMapper.Map(snapshot).Batch;
        using var json = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(batch, ContractJson.Default.Batch));
        var node = json.RootElement.GetProperty("node");
        var pod = json.RootElement.GetProperty("pods")[0];

        Assert.Equal(["memory"], node.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["name", "namespace", "uid", "cpu"], pod.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void A_failed_pod_collector_sends_no_pods_list_and_an_empty_node_sends_an_empty_one()
    {
        var failed = new NodeSnapshot { NodeName = "n", Timestamp = CollectedAt };
        var empty = new NodeSnapshot { NodeName = "n", Timestamp = CollectedAt, Pods = [], Disks = [] };

        Assert.Null(BatchMapper.Map(failed).Batch.Pods);
        Assert.Null(BatchMapper.Map(failed).Batch.Node!.Disk);
        Assert.Empty(BatchMapper.Map(empty).Batch.Pods!);
        Assert.Equal(0, BatchMapper.Map(empty).Batch.Node!.Disk!.ReadBytesTotal);
    }
}

using KubeMonitor.Exporter.Collection;
using Xunit.Abstractions;

namespace KubeMonitor.Exporter.Tests.Push;

/// <summary>docs/api.md section 2: a node and all its pods are one request; the size is printed for docs/benchmarks.md.</summary>
public sealed class FacadePusherSizeTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_110_pod_node_is_one_request(bool section6)
    {
        // section6: what a v2 node adds per pod (docs/api.md section 6): four typical labels, one
        // limited container, throttling, OOM kills and pressure of the pod and its container.
        var limits = new RequestsAndLimits(0.25, 0.5, 268_435_456, 536_870_912);
        var throttled = new CgroupStats { CpuPeriods = 123_456, CpuThrottledPeriods = 1_234, CpuThrottledSeconds = 56.789012, OomKills = 0 };
        var pods = Enumerable.Range(0, 110).Select(i => new PodSnapshot
        {
            Uid = $"00000000-0000-0000-0000-{i:D12}",
            QosClass = "burstable",
            Stats = new CgroupStats
            {
                CpuUsageSeconds = 1234.567891 + i, MemoryUsageBytes = 123_456_789, MemoryWorkingSetBytes = 98_765_432, DiskReadBytes = 1_048_576, DiskWrittenBytes = 2_097_152,
                CpuPeriods = section6 ? throttled.CpuPeriods : null, CpuThrottledPeriods = section6 ? throttled.CpuThrottledPeriods : null,
                CpuThrottledSeconds = section6 ? throttled.CpuThrottledSeconds : null, OomKills = section6 ? 0 : null,
                CpuPressure = section6 ? new Pressure(12.345678, 1.234567) : null, MemoryPressure = section6 ? new Pressure(0.123456, 0.012345) : null,
                IoPressure = section6 ? new Pressure(3.456789, 3.012345) : null,
            },
            Network = new NetworkTotals(987_654_321, 123_456_789),
            Containers =
            [
                new ContainerSnapshot
                {
                    Id = $"c{i}", Name = "app",
                    Stats = new CgroupStats
                    {
                        CpuUsageSeconds = 1200.5 + i, MemoryWorkingSetBytes = 90_000_000,
                        CpuPeriods = section6 ? throttled.CpuPeriods : null, CpuThrottledPeriods = section6 ? throttled.CpuThrottledPeriods : null,
                        CpuThrottledSeconds = section6 ? throttled.CpuThrottledSeconds : null, OomKills = section6 ? 0 : null,
                    },
                },
            ],
            Metadata = new PodMetadata($"web-7c9f8d6b5-{i:D5}", "production", $"00000000-0000-0000-0000-{i:D12}", "ReplicaSet", "web-7c9f8d6b5", "web", new Dictionary<string, string>())
            {
                Labels = section6
                    ? new Dictionary<string, string> { ["app"] = "web", ["app.kubernetes.io/name"] = "web", ["app.kubernetes.io/instance"] = "web-production", ["pod-template-hash"] = "7c9f8d6b5" }
                    : null,
                Containers = section6 ? [new ContainerResources("app", limits)] : [],
                Resources = section6 ? limits : RequestsAndLimits.None,
            },
            ReadAt = BatchMapperTests.FullSnapshot().Timestamp.AddMilliseconds(1 + i * 0.3),
        }).ToList();
        var snapshot = BatchMapperTests.FullSnapshot();
        snapshot.Pods = pods;
        using var facade = FakeFacade.Start();
        await using var push = new PushHarness([facade.Url]);

        await push.Pusher.PushAsync(snapshot);
        await push.Until(() => push.Batches($"127.0.0.1:{facade.Port}", "sent") == 1, "batch sent");

        var request = Assert.Single(facade.Requests).RequestMessage;
        Assert.Equal(110, Assert.Single(facade.Accepted).Pods!.Count);
        var bytes = request.BodyAsBytes!.Length;
        // The exporter's own count of what it sent is that body, so operators see the push's bandwidth.
        Assert.Equal(bytes, push.Metric("kubemonitor_exporter_push_sent_bytes_total", ("target", $"127.0.0.1:{facade.Port}")));
        output.WriteLine($"110-pod batch{(section6 ? " with section 6's fields" : "")}: {bytes} bytes of JSON");
    }
}

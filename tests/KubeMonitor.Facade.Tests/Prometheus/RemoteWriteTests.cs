using System.Globalization;
using KubeMonitor.Contracts;

namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>
/// What the tests push reaches a real Prometheus 2.42 by remote write as the exporter's series,
/// and reads back raw through range selectors: values, millisecond timestamps and labels, kept
/// apart by test label, in any time order.
/// </summary>
public sealed class RemoteWriteTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Range = TimeSpan.FromMinutes(10);

    private readonly string _testCase = Guid.NewGuid().ToString();
    private readonly ExporterSeries _series;

    public RemoteWriteTests() => _series = new ExporterSeries("test_case", _testCase);

    [Fact]
    public async Task A_node_sample_reads_back_as_the_exporters_node_series()
    {
        var prometheus = await PrometheusServer.SharedAsync();
        var sample = new NodeSample
        {
            Timestamp = Start.AddSeconds(5.25),
            Cpu = new() { UsageSecondsTotal = 81234.5, CapacityCores = 4 },
            Memory = new() { TotalBytes = 8340000000, AvailableBytes = 5120000000, UsedBytes = 3220000000 },
            Disk = new() { ReadBytesTotal = 123456789, WriteBytesTotal = 987654321 },
            Network = new() { RxBytesTotal = 5555555, TxBytesTotal = 4444444 },
        };
        await prometheus.WriteAsync(_series.ForNode("node-1", sample, defaultTimestampMs: 0));

        var read = await prometheus.SelectAsync($"{{test_case=\"{_testCase}\"}}", Range, Start.AddMinutes(1));

        var t = Start.AddSeconds(5.25).ToUnixTimeMilliseconds();
        Assert.Equal(
        [
            $"kubemonitor_node_cpu_capacity_cores{{node=node-1}} 4 @{t}",
            $"kubemonitor_node_cpu_usage_seconds_total{{node=node-1}} 81234.5 @{t}",
            $"kubemonitor_node_disk_read_bytes_total{{device=sda,node=node-1}} 123456789 @{t}",
            $"kubemonitor_node_disk_written_bytes_total{{device=sda,node=node-1}} 987654321 @{t}",
            $"kubemonitor_node_memory_available_bytes{{node=node-1}} 5120000000 @{t}",
            $"kubemonitor_node_memory_total_bytes{{node=node-1}} 8340000000 @{t}",
            $"kubemonitor_node_memory_used_bytes{{node=node-1}} 3220000000 @{t}",
            $"kubemonitor_node_network_receive_bytes_total{{interface=eth0,node=node-1}} 5555555 @{t}",
            $"kubemonitor_node_network_receive_bytes_total{{interface=lo,node=node-1}} {ExporterSeries.LoopbackBytes(5555555).ToString(CultureInfo.InvariantCulture)} @{t}",
            $"kubemonitor_node_network_transmit_bytes_total{{interface=eth0,node=node-1}} 4444444 @{t}",
            $"kubemonitor_node_network_transmit_bytes_total{{interface=lo,node=node-1}} {ExporterSeries.LoopbackBytes(4444444).ToString(CultureInfo.InvariantCulture)} @{t}",
        ], Render(read));
    }

    [Fact]
    public async Task A_batch_of_two_pods_at_two_times_reads_back_raw_with_the_exporters_labels()
    {
        var prometheus = await PrometheusServer.SharedAsync();
        await prometheus.WriteAsync(_series.ForBatch("node-1", Batch(at: 10, cpu: 12.3, workingSet: 104857600), defaultTimestampMs: 0));
        await prometheus.WriteAsync(_series.ForBatch("node-1", Batch(at: 15, cpu: 13.1, workingSet: 110000000), defaultTimestampMs: 0));
        var at = Start.AddMinutes(1);
        var (t1, t2) = (Ms(10), Ms(15));

        Assert.Equal(
        [
            $"kubemonitor_pod_cpu_usage_seconds_total{{namespace=test-ns,node=node-1,pod=api-7c9f8d6b5-x2x4q}} 12.3 @{t1} 13.1 @{t2}",
            $"kubemonitor_pod_cpu_usage_seconds_total{{namespace=test-ns,node=node-1,pod=job-x}} 0.5 @{t1} 0.5 @{t2}",
        ], Render(await prometheus.SelectAsync(Selector("kubemonitor_pod_cpu_usage_seconds_total"), Range, at)));
        Assert.Equal(
        [
            // job-x names no deployment, uid or owner: those labels are absent, as Prometheus keeps empty ones.
            $"kubemonitor_pod_info{{deployment=api,namespace=test-ns,node=node-1,owner_kind=ReplicaSet,owner_name=api-7c9f8d6b5,pod=api-7c9f8d6b5-x2x4q,uid=4b1c8f57}} 1 @{t1} 1 @{t2}",
            $"kubemonitor_pod_info{{namespace=test-ns,node=node-1,pod=job-x}} 1 @{t1} 1 @{t2}",
        ], Render(await prometheus.SelectAsync(Selector("kubemonitor_pod_info"), Range, at)));
        Assert.Equal(
        [
            $"kubemonitor_container_memory_working_set_bytes{{container=app,namespace=test-ns,node=node-1,pod=api-7c9f8d6b5-x2x4q}} 104857600 @{t1} 110000000 @{t2}",
            $"kubemonitor_container_memory_working_set_bytes{{container=sidecar,namespace=test-ns,node=node-1,pod=api-7c9f8d6b5-x2x4q}} 1000 @{t1} 1000 @{t2}",
        ], Render(await prometheus.SelectAsync(Selector("kubemonitor_container_memory_working_set_bytes"), Range, at)));
        // Only the first pod has disk values: the other's series do not exist (not 0).
        Assert.Equal(
            [$"kubemonitor_pod_disk_written_bytes_total{{namespace=test-ns,node=node-1,pod=api-7c9f8d6b5-x2x4q}} 1048576 @{t1} 1048576 @{t2}"],
            Render(await prometheus.SelectAsync(Selector("kubemonitor_pod_disk_written_bytes_total"), Range, at)));
    }

    [Fact]
    public async Task Two_test_cases_writing_the_same_node_do_not_see_each_other()
    {
        var prometheus = await PrometheusServer.SharedAsync();
        var other = Guid.NewGuid().ToString();
        var sample = (double cpu) => new NodeSample { Timestamp = Start.AddSeconds(30), Cpu = new() { UsageSecondsTotal = cpu } };
        await prometheus.WriteAsync(_series.ForNode("node-1", sample(100), defaultTimestampMs: 0));
        await prometheus.WriteAsync(new ExporterSeries("test_case", other).ForNode("node-1", sample(200), defaultTimestampMs: 0));

        var mine = await prometheus.SelectAsync(Selector("kubemonitor_node_cpu_usage_seconds_total"), Range, Start.AddMinutes(1));
        var theirs = await prometheus.SelectAsync($"kubemonitor_node_cpu_usage_seconds_total{{test_case=\"{other}\"}}", Range, Start.AddMinutes(1));

        Assert.Equal([$"kubemonitor_node_cpu_usage_seconds_total{{node=node-1}} 100 @{Ms(30)}"], Render(mine));
        Assert.Equal([$"kubemonitor_node_cpu_usage_seconds_total{{node=node-1}} 200 @{Ms(30)}"], Render(theirs, other));
    }

    [Fact]
    public async Task Samples_older_than_the_newest_are_accepted_in_any_order()
    {
        var prometheus = await PrometheusServer.SharedAsync();
        var sample = (double seconds, double cpu) => new NodeSample { Timestamp = Start.AddSeconds(seconds), Cpu = new() { UsageSecondsTotal = cpu } };
        // Hours apart and newest first: the order tests sharing one Prometheus may write in.
        foreach (var (seconds, cpu) in new[] { (4 * 3600.0, 30.0), (0.0, 10.0), (3600.0, 20.0) })
        {
            await prometheus.WriteAsync(_series.ForNode("node-1", sample(seconds, cpu), defaultTimestampMs: 0));
        }

        var read = await prometheus.SelectAsync(Selector("kubemonitor_node_cpu_usage_seconds_total"), TimeSpan.FromHours(5), Start.AddHours(4.5));

        Assert.Equal([$"kubemonitor_node_cpu_usage_seconds_total{{node=node-1}} 10 @{Ms(0)} 20 @{Ms(3600)} 30 @{Ms(4 * 3600)}"], Render(read));
    }

    [Fact]
    public async Task A_write_Prometheus_refuses_fails_with_its_answer()
    {
        var prometheus = await PrometheusServer.SharedAsync();
        var sample = (DateTimeOffset at) => new NodeSample { Timestamp = at, Cpu = new() { UsageSecondsTotal = 1 } };
        await prometheus.WriteAsync(_series.ForNode("node-1", sample(Start.AddSeconds(40)), defaultTimestampMs: 0));

        // A sample older than the out-of-order window behind the newest one held is refused, whatever
        // other tests wrote before (a second value at a held time is not: past the head's hour it
        // takes the out-of-order path, which keeps the first value silently).
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(
            () => prometheus.WriteAsync(_series.ForNode("node-1", sample(DateTimeOffset.UnixEpoch.AddSeconds(1)), defaultTimestampMs: 0)));

        // Prometheus 2.42 answers this refusal with a 500; the writer passes its reason on.
        Assert.Contains("too old sample", refused.Message, StringComparison.Ordinal);
    }

    private static Batch Batch(double at, double cpu, double workingSet) => new()
    {
        Timestamp = Start.AddSeconds(at),
        Node = new NodeSample { Cpu = new() { UsageSecondsTotal = 1000 + at } },
        Pods =
        [
            new PodSample
            {
                Name = "api-7c9f8d6b5-x2x4q", Namespace = "test-ns", Uid = "4b1c8f57",
                OwnerKind = "ReplicaSet", OwnerName = "api-7c9f8d6b5", Deployment = "api",
                Cpu = new() { UsageSecondsTotal = cpu },
                Disk = new() { ReadBytesTotal = 0, WriteBytesTotal = 1048576 },
                Containers =
                [
                    new ContainerSample { Name = "app", Memory = new() { WorkingSetBytes = workingSet } },
                    new ContainerSample { Name = "sidecar", Memory = new() { WorkingSetBytes = 1000 } },
                ],
            },
            // Names another node: in a batch the path's node wins.
            new PodSample { Name = "job-x", Namespace = "test-ns", Node = "elsewhere", Cpu = new() { UsageSecondsTotal = 0.5 } },
        ],
    };

    private static long Ms(double secondsAfterStart) => Start.AddSeconds(secondsAfterStart).ToUnixTimeMilliseconds();

    private string Selector(string metric) => $"{metric}{{test_case=\"{_testCase}\"}}";

    /// <summary>
    /// Each series as <c>name{label=value,...} value @ms ...</c>, labels sorted, sorted by that text;
    /// the test label is checked here and left out, so the lines read as the exporter's series.
    /// </summary>
    private List<string> Render(IReadOnlyList<QueriedSeries> read, string? testCase = null)
    {
        foreach (var series in read) Assert.Equal(testCase ?? _testCase, series.Labels["test_case"]);
        return [.. read.Select(series =>
        {
            var labels = series.Labels.Where(l => l.Key is not ("__name__" or "test_case")).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}");
            var samples = series.Samples.Select(s => $"{s.Value.ToString(CultureInfo.InvariantCulture)} @{s.TimestampMs}");
            return $"{series.Labels["__name__"]}{{{string.Join(',', labels)}}} {string.Join(' ', samples)}";
        }).Order(StringComparer.Ordinal)];
    }
}

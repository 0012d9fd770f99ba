using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Collectors;
using KubeMonitor.Exporter.Metrics;
using KubeMonitor.Exporter.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Prometheus;
using ICollector = KubeMonitor.Exporter.Collection.ICollector;

namespace KubeMonitor.Exporter.Tests.Collectors;

public sealed class CollectionRunnerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 7, 0, 5, TimeSpan.Zero));
    private readonly ListLogger<CollectionRunner> _log = new();

    private CollectionRunner Runner(IEnumerable<ICollector> collectors, IEnumerable<Action<NodeSnapshot>>? post = null) =>
        new("node-1", collectors, _time, _log, post);

    private static ICollector[] NodeCollectors(KubeMonitor.Exporter.Host.HostRoot root) =>
        [new NodeCpuCollector(root), new NodeMemoryCollector(root), new NodeDiskCollector(root), new NodeNetworkCollector(root)];

    [Fact]
    public void Fills_a_fresh_snapshot_with_the_node_name_and_the_clocks_time()
    {
        var result = Runner(NodeCollectors(FixtureRoots.Proc("procfs-8cpu"))).Collect();

        Assert.Equal("node-1", result.Snapshot.NodeName);
        Assert.Equal(_time.GetUtcNow(), result.Snapshot.Timestamp);
        Assert.Equal(["cpu", "meminfo", "diskstats", "netdev"], result.Collectors.Select(c => c.Name));
        Assert.All(result.Collectors, c => Assert.True(c.Success, c.Error));
        Assert.NotNull(result.Snapshot.Cpu);
        Assert.NotNull(result.Snapshot.Memory);
        Assert.NotNull(result.Snapshot.Disks);
        Assert.NotNull(result.Snapshot.Interfaces);
    }

    [Fact]
    public void Measures_each_collectors_duration_on_the_injected_clock()
    {
        var slow = new DelegateCollector("slow", _ => _time.Advance(TimeSpan.FromMilliseconds(250)));
        var quick = new DelegateCollector("quick", _ => { });

        var result = Runner([slow, quick]).Collect();

        Assert.Equal(TimeSpan.FromMilliseconds(250), result.Collectors[0].Duration);
        Assert.Equal(TimeSpan.Zero, result.Collectors[1].Duration);
    }

    [Theory]
    [InlineData("stat", "cpu", "cpu0 1 2 x 4 5 6 7\n")]
    [InlineData("stat", "cpu", "")]
    [InlineData("meminfo", "meminfo", "MemTotal: 100 kB\n")]
    [InlineData("diskstats", "diskstats", "   8       0 sda 1 2 3\n")]
    [InlineData("net/dev", "netdev", "Inter-|   Receive\n face |bytes\n  eth0: 1 2 3\n")]
    public async Task A_broken_file_fails_only_its_collector_and_the_others_still_report(string file, string failing, string brokenText)
    {
        using var proc = new TempProcRoot("procfs-8cpu");
        proc.Write(file, brokenText);
        var runner = Runner(NodeCollectors(proc.Root));
        var metrics = new ExporterMetrics(Prometheus.Metrics.NewCustomRegistry());

        var result = runner.Collect();
        metrics.Publish(result);
        var text = await Exposition.TextAsync(metrics.Registry);

        Assert.Equal([failing], result.Collectors.Where(c => !c.Success).Select(c => c.Name));
        foreach (var name in new[] { "cpu", "meminfo", "diskstats", "netdev" })
        {
            Assert.Contains($"kubemonitor_exporter_collector_success{{collector=\"{name}\"}} {(name == failing ? 0 : 1)}\n", text, StringComparison.Ordinal);
        }
        // The failing collector's series are absent; the others' are there.
        var expectedPresent = new Dictionary<string, string>
        {
            ["cpu"] = "kubemonitor_node_cpu_usage_seconds_total{",
            ["meminfo"] = "kubemonitor_node_memory_total_bytes{",
            ["diskstats"] = "kubemonitor_node_disk_read_bytes_total{",
            ["netdev"] = "kubemonitor_node_network_receive_bytes_total{",
        };
        foreach (var (name, series) in expectedPresent)
        {
            Assert.Equal(name != failing, text.Contains(series, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Logs_a_repeated_failure_once_at_warning()
    {
        var calls = 0;
        var broken = new DelegateCollector("broken", _ => throw new FormatException(++calls <= 3 ? "bad line" : "other line"));
        var runner = Runner([broken]);

        for (var i = 0; i < 4; i++) runner.Collect();

        var warnings = _log.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Equal(2, warnings.Count); // "bad line" once (3 times seen), "other line" once
        Assert.Contains("bad line", warnings[0], StringComparison.Ordinal);
        Assert.Contains("other line", warnings[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Post_processors_run_after_the_collectors_and_a_throwing_one_does_not_lose_the_collection()
    {
        var seenCpu = (NodeCpu?)null;
        var runner = Runner(
            NodeCollectors(FixtureRoots.Proc("procfs-8cpu")),
            [s => seenCpu = s.Cpu, _ => throw new InvalidOperationException("metadata join broke"), s => s.Pods = []]);

        var result = runner.Collect();

        Assert.Equal(new NodeCpu(4183.22, 8), seenCpu);
        Assert.NotNull(result.Snapshot.Pods); // the processor after the throwing one still ran
        Assert.All(result.Collectors, c => Assert.True(c.Success));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("metadata join broke", StringComparison.Ordinal));
    }

    [Fact]
    public void Concurrent_collections_are_serialized()
    {
        var inside = 0;
        var mostInside = 0;
        var probe = new DelegateCollector("probe", _ =>
        {
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref mostInside, now);
            Thread.SpinWait(20_000); // widen the window in which a second run would overlap
            Interlocked.Decrement(ref inside);
        });
        var runner = Runner([probe]);

        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ => runner.Collect());

        Assert.Equal(1, mostInside);
        Assert.NotNull(runner.Last);
    }

    [Fact]
    public void Last_is_null_until_a_collection_ran() => Assert.Null(Runner([]).Last);

    [Fact]
    public void Two_collectors_with_one_name_are_refused() =>
        Assert.Throws<ArgumentException>(() => Runner([new DelegateCollector("cpu", _ => { }), new DelegateCollector("cpu", _ => { })]));

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen) return;
        }
    }

    private sealed class DelegateCollector(string name, Action<NodeSnapshot> collect) : ICollector
    {
        public string Name => name;
        public void Collect(NodeSnapshot snapshot) => collect(snapshot);
    }
}

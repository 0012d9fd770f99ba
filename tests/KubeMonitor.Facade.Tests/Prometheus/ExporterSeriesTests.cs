using System.Text.RegularExpressions;
using KubeMonitor.Contracts;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Facade.Tests.Prometheus;

public sealed partial class ExporterSeriesTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);
    private readonly ExporterSeries _series = new("test_case", "t1");

    [Fact]
    public void Absent_values_are_absent_series_and_absent_identity_labels_are_left_out()
    {
        var series = _series.ForPod("p", new PodSample { Namespace = "ns", Memory = new() { WorkingSetBytes = 0 } }, defaultTimestampMs: 7);

        Assert.Equal(["kubemonitor_pod_info", "kubemonitor_pod_memory_working_set_bytes"], series.Select(s => s.Name));
        Assert.Equal(0, series[1].Value); // a real 0 stays
        Assert.All(series, s => Assert.Equal(["namespace", "pod", "test_case"], s.Labels.Keys.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void Samples_take_their_own_time_then_the_batchs_then_the_default()
    {
        var batch = new Batch
        {
            Timestamp = Start,
            Node = new NodeSample { Cpu = new() { UsageSecondsTotal = 1 } },
            Pods = [new PodSample { Name = "a", Namespace = "ns", Timestamp = Start.AddSeconds(5) }],
        };

        var series = _series.ForBatch("n", batch, defaultTimestampMs: 7);
        var undated = _series.ForBatch("n", batch with { Timestamp = null }, defaultTimestampMs: 7);

        Assert.Equal([Start.ToUnixTimeMilliseconds(), Start.AddSeconds(5).ToUnixTimeMilliseconds()], series.Select(s => s.TimestampMs));
        Assert.Equal([7, Start.AddSeconds(5).ToUnixTimeMilliseconds()], undated.Select(s => s.TimestampMs));
    }

    [Fact]
    public void A_pod_in_a_batch_is_on_the_paths_node_and_a_pushed_pod_on_its_own()
    {
        var pod = new PodSample { Name = "a", Namespace = "ns", Node = "sample-node" };

        Assert.Equal("path-node", Assert.Single(_series.ForBatch("path-node", new Batch { Pods = [pod] }, 0)).Labels["node"]);
        Assert.Equal("sample-node", Assert.Single(_series.ForPod("a", pod, 0)).Labels["node"]);
    }

    [Fact]
    public void Node_network_adds_a_loopback_series_larger_than_the_interface_and_moving_with_it()
    {
        NodeSample Sample(double rx) => new() { Network = new() { RxBytesTotal = rx } };
        double Loopback(IReadOnlyList<MetricSample> series) => Assert.Single(series, s => s.Labels["interface"] == "lo").Value;

        var first = _series.ForNode("n", Sample(1000), 0);
        var second = _series.ForNode("n", Sample(2000), 0);

        Assert.Equal(["eth0", "lo"], first.Select(s => s.Labels["interface"]));
        Assert.All(first, s => Assert.Equal("kubemonitor_node_network_receive_bytes_total", s.Name));
        Assert.True(Loopback(first) > 1000 * 1000);
        Assert.True(Loopback(second) - Loopback(first) > 1000, "lo's rate must differ from eth0's, or a source adding it would only be caught in totals");
        Assert.DoesNotContain(_series.ForNode("n", new NodeSample { Cpu = new() { CapacityCores = 2 } }, 0), s => s.Name.Contains("network", StringComparison.Ordinal));
    }

    /// <summary>
    /// Names and label names as the exporter serves them (its golden /metrics), so the two cannot
    /// drift apart. The golden file declares every metric but holds no samples of the pod-level
    /// ones, whose label names therefore go unchecked here (pod_info's are checked).
    /// </summary>
    [Fact]
    public void Every_series_has_a_name_and_label_names_the_exporter_serves()
    {
        var golden = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "KubeMonitor.Exporter.Tests", "Golden", "v2-systemd-docker.prom"));
        var declared = TypeLine().Matches(golden).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var labelNames = ServedLabelNames(golden);
        var full = new Batch
        {
            Node = new NodeSample
            {
                Cpu = new() { UsageSecondsTotal = 1, CapacityCores = 1 },
                Memory = new() { TotalBytes = 1, AvailableBytes = 1, UsedBytes = 1 },
                Disk = new() { ReadBytesTotal = 1, WriteBytesTotal = 1 },
                Network = new() { RxBytesTotal = 1, TxBytesTotal = 1 },
            },
            Pods =
            [
                new PodSample
                {
                    Name = "p", Namespace = "ns", Uid = "u", OwnerKind = "ReplicaSet", OwnerName = "d-1", Deployment = "d",
                    Cpu = new() { UsageSecondsTotal = 1 },
                    Memory = new() { UsageBytes = 1, WorkingSetBytes = 1 },
                    Disk = new() { ReadBytesTotal = 1, WriteBytesTotal = 1 },
                    Network = new() { RxBytesTotal = 1, TxBytesTotal = 1 },
                    Containers = [new ContainerSample { Name = "c", Cpu = new() { UsageSecondsTotal = 1 }, Memory = new() { UsageBytes = 1, WorkingSetBytes = 1 } }],
                },
            ],
        };

        var series = _series.ForBatch("n", full, 0);

        Assert.Equal(22, series.Count);
        Assert.All(series, s =>
        {
            Assert.True(declared.Contains(s.Name), $"{s.Name} is not served by the exporter");
            if (labelNames.TryGetValue(s.Name, out var served))
            {
                Assert.Equal(served, s.Labels.Keys.Where(k => k != "test_case").Order(StringComparer.Ordinal));
            }
        });
    }

    /// <summary>
    /// Section 6's series: each named in docs/api.md (the exporter side serves what is documented
    /// there), labels sanitized, requests and limits of the pod as pushed and of each container.
    /// </summary>
    [Fact]
    public void Section_6_values_become_the_documented_series()
    {
        var documented = DocumentedMetrics(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "api.md")));
        ResourcesSection Resources(double scale) => new() { CpuRequestCores = scale, CpuLimitCores = 2 * scale, MemoryRequestBytes = 3 * scale, MemoryLimitBytes = 4 * scale };
        var pod = new PodSample
        {
            Name = "p", Namespace = "ns",
            Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "web", ["empty"] = "" },
            Resources = Resources(3),
            Cpu = new() { ThrottledSecondsTotal = 1, ThrottledPeriodsTotal = 2, PeriodsTotal = 3 },
            Memory = new() { OomKillsTotal = 4 },
            Pressure = new() { Cpu = new() { WaitingSecondsTotal = 5, StalledSecondsTotal = 6 }, Memory = new() { WaitingSecondsTotal = 7 }, Io = new() { StalledSecondsTotal = 8 } },
            Containers =
            [
                new ContainerSample { Name = "a", Resources = Resources(1), Cpu = new() { ThrottledSecondsTotal = 1, ThrottledPeriodsTotal = 1, PeriodsTotal = 1 }, Memory = new() { OomKillsTotal = 1 } },
                new ContainerSample { Name = "b", Resources = Resources(2) },
            ],
        };
        var node = new NodeSample { Labels = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" } };

        var series = _series.ForBatch("n", new Batch { Node = node, Pods = [pod] }, 0);

        Assert.All(series, s => Assert.Contains(s.Name, documented));
        var podLabels = Assert.Single(series, s => s.Name == "kubemonitor_pod_labels");
        Assert.Equal("web", podLabels.Labels["label_app_kubernetes_io_name"]);
        Assert.False(podLabels.Labels.ContainsKey("label_empty")); // Prometheus keeps no empty label
        Assert.Equal("linux", Assert.Single(series, s => s.Name == "kubemonitor_node_labels").Labels["label_kubernetes_io_os"]);
        Assert.Equal([1.0, 2.0], series.Where(s => s.Name == "kubemonitor_container_cpu_request_cores").Select(s => s.Value));
        Assert.Equal(3.0, Assert.Single(series, s => s.Name == "kubemonitor_pod_cpu_request_cores").Value); // the pod's own, as pushed
        Assert.Equal(12.0, Assert.Single(series, s => s.Name == "kubemonitor_pod_memory_limit_bytes").Value);
        Assert.Equal(4, series.Count(s => s.Name.StartsWith("kubemonitor_pod_pressure_", StringComparison.Ordinal))); // absent stalls are absent series
        Assert.Equal(4.0, Assert.Single(series, s => s.Name == "kubemonitor_pod_oom_kills_total").Value);

    }

    /// <summary>The metric names a document mentions, brace groups expanded (<c>a_{b,c}_d</c> is a_b_d and a_c_d).</summary>
    private static HashSet<string> DocumentedMetrics(string document)
    {
        static IEnumerable<string> Expand(string name)
        {
            var group = BraceGroup().Match(name);
            return group.Success
                ? group.Groups[1].Value.Split(',').SelectMany(choice => Expand(name[..group.Index] + choice + name[(group.Index + group.Length)..]))
                : [name];
        }
        return MetricName().Matches(document).SelectMany(m => Expand(m.Value)).ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex(@"kubemonitor_[a-z_{},]*[a-z}]")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"\{([a-z_,]+)\}")]
    private static partial Regex BraceGroup();

    /// <summary>Each metric that has samples in a text exposition, with its label names sorted.</summary>
    private static Dictionary<string, string[]> ServedLabelNames(string exposition)
    {
        var served = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (Match line in SampleLine().Matches(exposition))
        {
            served[line.Groups["name"].Value] = [.. LabelName().Matches(line.Groups["labels"].Value).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal)];
        }
        return served;
    }

    [GeneratedRegex(@"^# TYPE (\S+) ", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?<labels>[^}]*)\} ", RegexOptions.Multiline)]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""")]
    private static partial Regex LabelName();
}

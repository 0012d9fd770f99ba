using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Options;
using KubeMonitor.Exporter.Tests.Kubernetes;
using KubeMonitor.Exporter.Tests.Support;
using KubeMonitor.TestSupport;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Tests.Golden;

/// <summary>
/// The whole exporter over fixture trees (node files of proc/procfs-8cpu beside a real cgroup v1
/// or v2 kubepods tree), with a WireMock Kubernetes API naming those pods (Golden/podlist.json, with
/// labels, requests and limits) and serving the real minikube Node object as this node's:
/// /metrics must be exactly the golden file, and promtool must have nothing to say about it.
/// Set UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change, then review the diff.
/// </summary>
[Collection(FakeKubeApiServers.Name)]
public sealed class GoldenMetricsTests
{
    [Theory]
    [InlineData("cgroup-v1/amzn2-eks-kubepods", "v1-systemd-containerd.prom", "test-dep-7c9f8d6b5-x2x4q")]
    [InlineData("cgroup-v2/coroot-kubepods-besteffort", "v2-systemd-docker.prom", "nginx")]
    public async Task Metrics_over_a_fixture_tree_match_the_golden_file(string cgroupFixture, string goldenFile, string podName)
    {
        using var tree = new FixtureTree(cgroupFixture);
        using var api = FakeKubeApi.Start();
        api.ServeList(JsonNode.Parse(File.ReadAllText(Path.Combine(GoldenFolder, "podlist.json")))!);
        api.ServeWatch();
        var node = FakeKubeApi.FixtureNode();
        node["metadata"]!["name"] = "golden-node";
        api.ServeList(new JsonObject { ["kind"] = "NodeList", ["apiVersion"] = "v1", ["metadata"] = new JsonObject { ["resourceVersion"] = "1000" }, ["items"] = new JsonArray(node) },
            resource: FakeKubeApi.Nodes);
        api.ServeWatchOf(FakeKubeApi.Nodes);
        var kubeconfig = tree.WriteKubeconfig(api.Url);

        var options = new ExporterOptions("golden-node", tree.Proc, tree.Sys, null,
            new IPEndPoint(IPAddress.Loopback, Ports.Free()), TimeSpan.FromMilliseconds(100), kubeconfig, LogLevel.Warning);
        await using var app = ExporterApp.Build(options, HostRoot.Create(tree.Proc, tree.Sys));
        await app.StartAsync();
        using var http = new HttpClient();
        var metricsUri = new Uri($"http://{options.Listen}/metrics");

        // The first collection runs before the lists arrive; wait for one that names the pod and has the node's labels.
        var text = "";
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(text.Contains($"pod=\"{podName}\"", StringComparison.Ordinal) && text.Contains("\nkubemonitor_node_labels{", StringComparison.Ordinal))
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            text = await http.GetStringAsync(metricsUri);
        }
        await app.StopAsync();

        var stable = WithoutVolatileSamples(text);
        var goldenPath = Path.Combine(GoldenFolder, goldenFile);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(goldenPath, stable);
        }
        Assert.Equal(File.ReadAllText(goldenPath), stable);
        Assert.Equal("", await Promtool.CheckMetricsAsync(text));
    }

    /// <summary>Collector durations differ on every run; their HELP and TYPE lines stay.</summary>
    private static string WithoutVolatileSamples(string exposition)
    {
        var kept = new StringBuilder();
        foreach (var line in exposition.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("kubemonitor_exporter_collector_duration_seconds{", StringComparison.Ordinal)) continue;
            kept.Append(line).Append('\n');
        }
        return kept.ToString();
    }

    private static string GoldenFolder => Path.Combine(RepoPaths.Root, "tests", "KubeMonitor.Exporter.Tests", "Golden");

    /// <summary>
    /// A host tree in a temp folder: proc = the node files of proc/procfs-8cpu plus the cgroup
    /// fixture's own proc files; sys = the cgroup fixture's sys. Copies only, fixtures stay untouched.
    /// </summary>
    private sealed class FixtureTree : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("kubemonitor-golden-").FullName;

        public FixtureTree(string cgroupFixture)
        {
            Copy(RepoPaths.Fixture("proc", "procfs-8cpu"), Proc);
            Copy(RepoPaths.Fixture(cgroupFixture, "proc"), Proc);
            Copy(RepoPaths.Fixture(cgroupFixture, "sys"), Sys);
        }

        public string Proc => Path.Combine(_root, "proc");
        public string Sys => Path.Combine(_root, "sys");

        public string WriteKubeconfig(string server) => TestKubeconfig.Write(_root, server, "golden-token");

        public void Dispose() => Directory.Delete(_root, recursive: true);

        private static void Copy(string source, string target)
        {
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var to = Path.Combine(target, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(file, to, overwrite: true);
            }
        }
    }
}

extern alias KubeFull;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KubeFull::k8s;
using KubeFull::k8s.Models;
using KubeMonitor.Deploy.Tests.Support;
using KubeMonitor.Exporter.Tests.Support;

namespace KubeMonitor.Deploy.Tests;

/// <summary>
/// The scrape config docs/install.md gives a Prometheus without the operator (issue 16, 2): it
/// loads with the alerts, has the jobs the alerts select, and a real Prometheus 2.42 running its
/// relabelling over the targets Kubernetes discovery makes of the rendered pods finds one target
/// per exporter and facade pod, labelled with the job and node the alerts use. Debian's
/// Prometheus and promtool are built without Kubernetes discovery, so the tests hand the same
/// targets over through file_sd (<see cref="PodDiscovery"/>) and check the one
/// kubernetes_sd_configs line (role: pod) structurally.
/// </summary>
public sealed partial class PlainPrometheusTests
{
    private static readonly string[] NodeNames = ["node-a", "node-b"];

    public static TheoryData<string> Targets() => [.. Kustomize.Targets];

    [Fact]
    public async Task Promtool_loads_the_documented_scrape_config_with_the_alerts()
    {
        var dir = Directory.CreateTempSubdirectory("kubemonitor-scrape-").FullName;
        try
        {
            var config = Path.Combine(dir, "prometheus.yml");
            var targets = Path.Combine(dir, "pods.json");
            await File.WriteAllTextAsync(targets, PodDiscovery.FileSd(Pods(Manifests.Load(await Kustomize.RenderAsync("base")))).ToJsonString());
            await File.WriteAllTextAsync(config, $"rule_files:\n  - {AlertFiles.RulesPath}\n" + WithFileSd(InstallDoc.MarkedBlock("scrape-config"), targets));
            var output = await Tool.RunOkAsync("promtool", ["check", "config", config]);
            Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_documented_jobs_are_the_ones_the_alerts_select_and_discover_pods()
    {
        var jobs = ScrapeConfig().ScrapeConfigs;
        var selected = AlertFiles.Rules().Groups.SelectMany(g => g.Rules)
            .SelectMany(r => JobMatcher().Matches(r.Expr).Select(m => m.Groups[1].Value)).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(selected);
        Assert.Subset(jobs.Select(j => j.JobName).ToHashSet(StringComparer.Ordinal), selected);
        Assert.All(jobs, job => Assert.Equal("pod", Assert.Single(job.KubernetesSdConfigs).Role));

        // The exporter's series name their own node, pod and container: those labels win over the target's.
        var exporter = Assert.Single(jobs, j => j.JobName == "kubemonitor-exporter");
        Assert.True(exporter.HonorLabels);
        Assert.Contains(exporter.RelabelConfigs, r => r.TargetLabel == "node" && r.SourceLabels.SequenceEqual(["__meta_kubernetes_pod_node_name"]));
    }

    [Fact]
    public async Task A_real_prometheus_finds_each_exporter_and_facade_pod_with_the_job_and_node_the_alerts_use()
    {
        var manifests = Manifests.Load(await Kustomize.RenderAsync("base"));
        var pods = Pods(manifests);
        var dir = Directory.CreateTempSubdirectory("kubemonitor-scrape-").FullName;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var targets = Path.Combine(dir, "pods.json");
        await File.WriteAllTextAsync(targets, PodDiscovery.FileSd(pods).ToJsonString());

        // As documented, with the discovered targets from a file and a scrape every second so
        // that the first `up` comes at once: the relabelling is untouched.
        var config = ScrapeInterval().Replace(WithFileSd(InstallDoc.MarkedBlock("scrape-config"), targets), "${key}1s");
        await File.WriteAllTextAsync(Path.Combine(dir, "prometheus.yml"), config);

        var url = new Uri($"http://127.0.0.1:{Ports.Free()}");
        using var prometheus = RunningProcess.Start("prometheus", "prometheus",
        [
            $"--config.file={Path.Combine(dir, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(dir, "tsdb")}",
            $"--web.listen-address=127.0.0.1:{url.Port}",
        ]);
        try
        {
            await prometheus.WaitForOkAsync(http, new Uri(url, "/-/ready"), TimeSpan.FromSeconds(60));

            // One target per exporter pod on its metrics port, per facade pod on its http port;
            // the other pod, the finished one and the push port are left out.
            var expected = pods.Where(p => p.Status.Phase == "Running").SelectMany(p => Expected(manifests, p)).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(NodeNames.Length + (manifests.Facade.Spec.Replicas ?? 1), expected.Count);
            var found = await PollAsync(async () => (await ActiveTargetsAsync(http, url)).Order(StringComparer.Ordinal).ToList(),
                targets => targets.SequenceEqual(expected), prometheus);
            Assert.Equal(expected, found);

            // The series the alerts read: every exporter's up with its node (nothing listens at the pods' addresses).
            var up = await PollAsync(() => UpAsync(http, url, "kubemonitor-exporter"), series => series.Count == NodeNames.Length, prometheus);
            Assert.Equal(NodeNames, up.Select(s => s.GetValueOrDefault("node")).Order(StringComparer.Ordinal));
        }
        finally
        {
            prometheus.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Pods_carry_no_annotations_for_annotation_based_scraping(string target)
    {
        // An annotation-based job would scrape the exporters under its own job name and without node.
        var manifests = Manifests.Load(await Kustomize.RenderAsync(target));
        foreach (var template in new[] { manifests.Exporter.Spec.Template, manifests.Facade.Spec.Template })
        {
            Assert.DoesNotContain(template.Metadata.Annotations?.Keys ?? [], key => key.StartsWith("prometheus.io/", StringComparison.Ordinal));
        }
    }

    /// <summary>An exporter on each node, the facade's replicas, a pod of something else with a metrics port, and a finished exporter pod.</summary>
    private static List<V1Pod> Pods(Manifests manifests)
    {
        var pods = new List<V1Pod>();
        V1Pod Add(string name, V1PodTemplateSpec template, string node, string phase = "Running")
        {
            var pod = new V1Pod
            {
                Metadata = new V1ObjectMeta
                {
                    Name = name, NamespaceProperty = manifests.Exporter.Metadata.NamespaceProperty, Labels = template.Metadata.Labels,
                    Uid = Guid.NewGuid().ToString(), ResourceVersion = "1",
                },
                Spec = KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(template.Spec)),
                // TEST-NET-1 (RFC 5737): no scrape reaches anything.
                Status = new V1PodStatus { Phase = phase, PodIP = $"192.0.2.{pods.Count + 1}" },
            };
            pod.Spec.NodeName = node;
            pods.Add(pod);
            return pod;
        }
        foreach (var node in NodeNames) Add($"{manifests.Exporter.Metadata.Name}-{node}", manifests.Exporter.Spec.Template, node);
        for (var i = 0; i < manifests.Facade.Spec.Replicas; i++)
        {
            Add($"{manifests.Facade.Metadata.Name}-{i}", manifests.Facade.Spec.Template, NodeNames[i % NodeNames.Length]);
        }
        var other = new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "other" } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "other", Ports = [new V1ContainerPort { Name = "metrics", ContainerPort = 9100 }] }] },
        };
        Add("other", other, NodeNames[0]);
        Add($"{manifests.Exporter.Metadata.Name}-finished", manifests.Exporter.Spec.Template, NodeNames[0], phase: "Succeeded");
        return pods;
    }

    /// <summary>The targets a pod should give, as "job instance node".</summary>
    private static IEnumerable<string> Expected(Manifests manifests, V1Pod pod)
    {
        var labels = pod.Metadata.Labels;
        if (labels["app.kubernetes.io/name"] == manifests.Exporter.Metadata.Labels["app.kubernetes.io/name"])
        {
            var port = Assert.Single(manifests.ExporterContainer.Ports, p => p.Name == "metrics").ContainerPort;
            yield return $"kubemonitor-exporter {pod.Status.PodIP}:{port} {pod.Spec.NodeName}";
        }
        else if (labels["app.kubernetes.io/name"] == manifests.Facade.Metadata.Labels["app.kubernetes.io/name"])
        {
            var port = ManifestTests.FacadeHttpPort(manifests).ContainerPort;
            yield return $"kubemonitor-facade {pod.Status.PodIP}:{port} ";
        }
    }

    private static async Task<List<string>> ActiveTargetsAsync(HttpClient http, Uri prometheus)
    {
        var answer = JsonNode.Parse(await http.GetStringAsync(new Uri(prometheus, "/api/v1/targets?state=active")))!;
        return [.. answer["data"]!["activeTargets"]!.AsArray().Select(t => t!["labels"]!)
            .Select(l => $"{l["job"]} {l["instance"]} {l["node"]}")];
    }

    private static async Task<List<Dictionary<string, string>>> UpAsync(HttpClient http, Uri prometheus, string job)
    {
        var query = Uri.EscapeDataString($"up{{job=\"{job}\"}}");
        var answer = JsonNode.Parse(await http.GetStringAsync(new Uri(prometheus, "/api/v1/query?query=" + query)))!;
        return [.. answer["data"]!["result"]!.AsArray().Select(r => r!["metric"]!.AsObject()
            .ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal))];
    }

    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, RunningProcess prometheus)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var last = await read();
        while (!done(last) && DateTime.UtcNow < deadline)
        {
            Assert.False(prometheus.HasExited, prometheus.Output);
            await Task.Delay(250);
            last = await read();
        }
        return last;
    }

    private static ScrapeFile ScrapeConfig() => ScrapeFile.Parse(InstallDoc.MarkedBlock("scrape-config"));

    [GeneratedRegex(@"job=""([^""]+)""", RegexOptions.CultureInvariant)]
    private static partial Regex JobMatcher();

    /// <summary>The documented config with each job's Kubernetes discovery replaced by the file of what it would discover.</summary>
    private static string WithFileSd(string documented, string file)
    {
        var replaced = KubernetesDiscovery().Replace(documented, m => $"{m.Groups["indent"].Value}file_sd_configs:\n{m.Groups["indent"].Value}  - files: [{file}]");
        Assert.Equal(ScrapeConfig().ScrapeConfigs.Count, KubernetesDiscovery().Count(documented));
        return replaced;
    }

    [GeneratedRegex(@"^(?<indent> *)kubernetes_sd_configs:\n *- role: pod$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex KubernetesDiscovery();

    [GeneratedRegex(@"(?<key>scrape_interval: )\S+", RegexOptions.CultureInvariant)]
    private static partial Regex ScrapeInterval();
}

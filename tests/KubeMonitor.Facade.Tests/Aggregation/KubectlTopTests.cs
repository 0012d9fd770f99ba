using System.Text.Json.Nodes;

namespace KubeMonitor.Facade.Tests.Aggregation;

/// <summary>
/// <c>kubectl top</c> of two Kubernetes versions, through a stand-in kube-aggregator, against a
/// real facade holding known usage (issue 12, 3): each printed number is the one pushed. The
/// kubectl that ran is checked twice: <c>kubectl version</c> names it, and every request that
/// reached the facade carries its User-Agent.
/// </summary>
public sealed class KubectlTopTests(MetricsApiFacade facade) : IClassFixture<MetricsApiFacade>
{
    public static TheoryData<string> Versions() => ["v1.28.15", "v1.33.1"];

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task The_kubectl_that_runs_is_the_one_of_the_servers_version(string version)
    {
        var (standIn, _, kubectl) = await facade.FrontAsync(version);
        await using var _ = standIn;
        var run = await kubectl.RunAsync("version", "-o", "json");
        Assert.True(run.ExitCode == 0, run.Describe);
        var versions = JsonNode.Parse(run.Stdout)!;
        Assert.StartsWith(Minor(version), (string)versions["clientVersion"]!["gitVersion"]!, StringComparison.Ordinal);
        Assert.Equal(version, (string)versions["serverVersion"]!["gitVersion"]!);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Top_node_prints_each_nodes_pushed_rate_and_memory(string version)
    {
        var rows = await TopAsync(version, "node");
        Assert.Equal(PushedUsage.Nodes.Select(n => n.Name).Order(), rows.Select(r => r["NAME"]).Order());
        foreach (var node in PushedUsage.Nodes)
        {
            var row = Assert.Single(rows, r => r["NAME"] == node.Name);
            var millicores = PushedUsage.Millicores(node.CpuSecondsBefore, node.CpuSecondsAfter);
            Assert.Equal($"{millicores}m", row["CPU(cores)"]);
            Assert.Equal($"{PushedUsage.Mebibytes(node.UsedBytes)}Mi", row["MEMORY(bytes)"]);
            // Percentages of what the core API says is allocatable, truncated as kubectl does.
            var allocatableMillicores = long.Parse(node.AllocatableCpu, System.Globalization.CultureInfo.InvariantCulture) * 1000;
            Assert.Equal($"{millicores * 100 / allocatableMillicores}%", Cell(row, "CPU", "%"));
            var allocatableBytes = long.Parse(node.AllocatableMemory.TrimEnd('G', 'i'), System.Globalization.CultureInfo.InvariantCulture) << 30;
            Assert.Equal($"{node.UsedBytes * 100 / allocatableBytes}%", Cell(row, "MEMORY", "%"));
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Top_node_with_a_label_selector_prints_the_selected_nodes_only(string version)
    {
        var rows = await TopAsync(version, "node", "-l", "pool=blue");
        var node = Assert.Single(PushedUsage.Nodes, n => n.Labels["pool"] == "blue");
        var row = Assert.Single(rows);
        Assert.Equal(node.Name, row["NAME"]);
        Assert.Equal($"{PushedUsage.Millicores(node.CpuSecondsBefore, node.CpuSecondsAfter)}m", row["CPU(cores)"]);
        Assert.Equal($"{PushedUsage.Mebibytes(node.UsedBytes)}Mi", row["MEMORY(bytes)"]);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Top_pod_prints_the_pods_of_the_default_namespace_summed_over_containers(string version)
    {
        var rows = await TopAsync(version, "pod");
        AssertPods(PushedUsage.Pods.Where(p => p.Namespace == "default"), rows, withNamespace: false);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Top_pod_of_all_namespaces_prints_every_pod_with_its_namespace(string version)
    {
        var rows = await TopAsync(version, "pod", "-A");
        AssertPods(PushedUsage.Pods, rows, withNamespace: true);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Top_pod_with_a_label_selector_prints_the_selected_pods_of_the_namespace(string version)
    {
        var rows = await TopAsync(version, "pod", "-l", "app=web");
        // app=web in default: not db-0 (another app), not shop/cart-1 (another namespace).
        AssertPods(PushedUsage.Pods.Where(p => p.Namespace == "default" && p.Labels["app"] == "web"), rows, withNamespace: false);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Top_pod_containers_prints_each_containers_own_numbers(string version)
    {
        var rows = await TopAsync(version, "pod", "--containers");
        var expected = PushedUsage.Pods.Where(p => p.Namespace == "default")
            .SelectMany(p => p.Containers.Select(c => $"{p.Name}/{c.Name} {PushedUsage.Millicores(c)}m {PushedUsage.Mebibytes(c.WorkingSetBytes)}Mi"));
        var printed = rows.Select(r => $"{r["POD"]}/{r["NAME"]} {r["CPU(cores)"]} {r["MEMORY(bytes)"]}");
        Assert.Equal(expected.Order(StringComparer.Ordinal), printed.Order(StringComparer.Ordinal));
    }

    private static void AssertPods(IEnumerable<PodUsage> pods, List<Dictionary<string, string>> rows, bool withNamespace)
    {
        string Key(string ns, string name) => withNamespace ? $"{ns}/{name}" : name;
        var expected = pods.Select(p => $"{Key(p.Namespace, p.Name)} {PushedUsage.Millicores(p)}m {PushedUsage.Mebibytes(p.Containers.Sum(c => c.WorkingSetBytes))}Mi");
        var printed = rows.Select(r => $"{Key(withNamespace ? r["NAMESPACE"] : "", r["NAME"])} {r["CPU(cores)"]} {r["MEMORY(bytes)"]}");
        Assert.Equal(expected.Order(StringComparer.Ordinal), printed.Order(StringComparer.Ordinal));
    }

    /// <summary>Runs <c>kubectl top</c>, checks that it reached the facade as the kubectl of <paramref name="version"/>, and returns its table.</summary>
    private async Task<List<Dictionary<string, string>>> TopAsync(string version, params string[] arguments)
    {
        var (standIn, _, kubectl) = await facade.FrontAsync(version);
        await using var _ = standIn;
        var run = await kubectl.RunAsync(["top", .. arguments]);
        Assert.True(run.ExitCode == 0, $"{run.Describe}\n{facade.FacadeLog}");
        Assert.NotEmpty(standIn.Proxied);
        Assert.All(standIn.Proxied, request => Assert.Contains($"/{Minor(version)}", request.UserAgent, StringComparison.Ordinal));
        return Kubectl.Table(run.Stdout);
    }

    /// <summary>"v1.28.15" to "v1.28.": what every kubectl of that minor version says it is.</summary>
    private static string Minor(string version) => version[..(version.LastIndexOf('.') + 1)];

    /// <summary>The cell of the one column whose header starts with <paramref name="prefix"/> and holds <paramref name="part"/> ("CPU%", "CPU(%)").</summary>
    private static string Cell(Dictionary<string, string> row, string prefix, string part) =>
        Assert.Single(row, c => c.Key.StartsWith(prefix, StringComparison.Ordinal) && c.Key.Contains(part, StringComparison.Ordinal)).Value;
}

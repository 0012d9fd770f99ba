extern alias KubeFull;
using KubeFull::k8s;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>deploy/prometheus: the alerts and their promtool unit tests.</summary>
internal static class AlertFiles
{
    public static string Folder => Path.Combine(RepoPaths.Root, "deploy", "prometheus");
    public static string RulesPath => Path.Combine(Folder, "alerts.yaml");
    public static string Tests => Path.Combine(Folder, "alerts.test.yaml");

    public static RuleFile Rules() => KubernetesYaml.Deserialize<RuleFile>(File.ReadAllText(RulesPath), strict: true);

    /// <summary>Groups as comparable text (records of dictionaries do not compare by value).</summary>
    public static List<string> Canonical(IEnumerable<RuleGroup> groups) =>
        [.. groups.SelectMany(g => g.Rules.Select(r =>
            $"{g.Name}|{r.Alert}|{r.Expr}|{r.For}|{Flat(r.Labels)}|{Flat(r.Annotations)}"))];

    private static string Flat(Dictionary<string, string> map) =>
        string.Join(";", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}

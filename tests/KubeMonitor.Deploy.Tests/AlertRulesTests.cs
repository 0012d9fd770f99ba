using System.Text.RegularExpressions;
using KubeMonitor.Deploy.Tests.Support;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace KubeMonitor.Deploy.Tests;

/// <summary>
/// deploy/prometheus/alerts.yaml is valid for Prometheus, every alert is unit-tested firing and
/// not firing (issue 3, 2), sits beside kubernetes-mixin's without being louder, and links its
/// own section of docs/runbooks.md (issue 16, 4).
/// </summary>
public sealed partial class AlertRulesTests
{
    private static readonly string[] Severities = ["info", "warning", "critical"];

    private static readonly string[] RequiredAlerts =
    [
        "KubeMonitorFacadeDown", "KubeMonitorFacadeNotReceiving", "KubeMonitorPushBuffering", "KubeMonitorPushFailing",
        "KubeMonitorExporterDown", "KubeMonitorExporterMissing", "KubeMonitorCollectorFailing",
        "KubeMonitorPodCpuThrottlingHigh", "KubeMonitorContainerNearMemoryLimit", "KubeMonitorPodOomKilled",
        "KubeMonitorNodeMemoryHighUtilization", "KubeMonitorNodeCpuHighUsage",
    ];

    /// <summary>
    /// Ours that alert on a condition kubernetes-mixin (or node-mixin, or kube-prometheus'
    /// TargetDown) alerts on too, with that alert's severity: ours may not be louder.
    /// </summary>
    private static readonly Dictionary<string, string> MixinSeverities = new(StringComparer.Ordinal)
    {
        ["KubeMonitorPodCpuThrottlingHigh"] = "info", // CPUThrottlingHigh
        ["KubeMonitorNodeCpuHighUsage"] = "info", // NodeCPUHighUsage
        ["KubeMonitorNodeMemoryHighUtilization"] = "warning", // NodeMemoryHighUtilization
        ["KubeMonitorExporterDown"] = "warning", // TargetDown
    };

    [Fact]
    public async Task Promtool_check_rules_passes()
    {
        var output = await Tool.RunOkAsync("promtool", ["check", "rules", AlertFiles.RulesPath]);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promtool_unit_tests_pass()
    {
        var output = await Tool.RunOkAsync("promtool", ["test", "rules", Path.GetFileName(AlertFiles.Tests)], AlertFiles.Folder);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_alert_the_issue_asks_for_exists_with_a_for_a_severity_a_summary_and_a_description()
    {
        var alerts = AlertFiles.Rules().Groups.SelectMany(g => g.Rules).ToList();
        Assert.Subset(alerts.Select(a => a.Alert).ToHashSet(), RequiredAlerts.ToHashSet());
        Assert.All(alerts, alert =>
        {
            Assert.False(string.IsNullOrEmpty(alert.Alert), "Only alerting rules belong here.");
            Assert.Matches("^[0-9]+[smh]$", alert.For ?? "");
            Assert.Contains(alert.Labels["severity"], Severities);
            Assert.False(string.IsNullOrWhiteSpace(alert.Annotations.GetValueOrDefault("summary")), $"{alert.Alert} has no summary.");
            Assert.False(string.IsNullOrWhiteSpace(alert.Annotations.GetValueOrDefault("description")), $"{alert.Alert} has no description.");
        });
    }

    [Fact]
    public void Every_alert_has_a_unit_test_where_it_fires_and_one_where_it_does_not()
    {
        // promtool's format is snake_case; only the fields read here are declared.
        var file = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance)
            .IgnoreUnmatchedProperties().Build()
            .Deserialize<RuleTestFile>(File.ReadAllText(AlertFiles.Tests));
        var checks = file.Tests.SelectMany(t => t.AlertRuleTest).ToList();
        foreach (var alert in AlertFiles.Rules().Groups.SelectMany(g => g.Rules).Select(r => r.Alert))
        {
            Assert.True(checks.Any(c => c.Alertname == alert && c.ExpAlerts.Count > 0), $"No test where {alert} fires.");
            Assert.True(checks.Any(c => c.Alertname == alert && c.ExpAlerts.Count == 0), $"No test where {alert} stays silent.");
        }
    }

    [Fact]
    public void Names_are_KubeMonitor_ones_and_no_severity_is_above_the_mixins_for_the_same_condition()
    {
        var alerts = AlertFiles.Rules().Groups.SelectMany(g => g.Rules).ToList();
        Assert.All(alerts, a => Assert.StartsWith("KubeMonitor", a.Alert, StringComparison.Ordinal));
        foreach (var (name, mixin) in MixinSeverities)
        {
            var ours = alerts.Where(a => a.Alert == name).ToList();
            Assert.NotEmpty(ours);
            Assert.All(ours, a => Assert.True(
                Array.IndexOf(Severities, a.Labels["severity"]) <= Array.IndexOf(Severities, mixin),
                $"{name} is {a.Labels["severity"]}, above the mixin's {mixin} for the same condition."));
        }
        // Only a KubeMonitor-wide outage pages: no facade up, or none receiving from any node.
        Assert.Equal(
            ["KubeMonitorFacadeDown", "KubeMonitorFacadeNotReceiving"],
            alerts.Where(a => a.Labels["severity"] == "critical").Select(a => a.Alert).Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void Every_alert_links_its_own_section_of_docs_runbooks_md()
    {
        var headings = Runbooks.Headings();
        Assert.Equal(headings.Count, headings.Select(h => h.Anchor).Distinct(StringComparer.Ordinal).Count());
        var anchors = headings.Select(h => h.Anchor).ToHashSet(StringComparer.Ordinal);
        foreach (var alert in AlertFiles.Rules().Groups.SelectMany(g => g.Rules))
        {
            var url = alert.Annotations.GetValueOrDefault("runbook_url") ?? "";
            var link = RunbookLink().Match(url);
            Assert.True(link.Success, $"{alert.Alert}'s runbook_url '{url}' does not point into docs/runbooks.md.");
            var anchor = link.Groups["anchor"].Value;
            Assert.True(anchors.Contains(anchor), $"{alert.Alert}'s runbook_url names #{anchor}, which is no heading of docs/runbooks.md.");
            Assert.Equal(Runbooks.Anchor(alert.Alert), anchor);
        }
    }

    [Fact]
    public void Every_runbook_section_is_an_alert_and_tells_its_meaning_impact_diagnosis_and_mitigation()
    {
        var alerts = AlertFiles.Rules().Groups.SelectMany(g => g.Rules).Select(r => r.Alert).ToHashSet(StringComparer.Ordinal);
        var sections = Runbooks.Headings().Where(h => h.Level == 2).Select(h => h.Text).ToList();
        Assert.Equal(alerts.Order(StringComparer.Ordinal), sections.Order(StringComparer.Ordinal));
        var text = File.ReadAllText(Runbooks.DocumentPath);
        foreach (var section in sections)
        {
            var start = text.IndexOf($"\n## {section}\n", StringComparison.Ordinal);
            var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
            var body = end < 0 ? text[start..] : text[start..end];
            foreach (var part in new[] { "**Meaning.**", "**Impact.**", "**Diagnosis.**", "**Mitigation.**" })
            {
                Assert.True(body.Contains(part, StringComparison.Ordinal), $"The runbook of {section} has no {part}");
            }
        }
    }

    [Fact]
    public async Task Every_promql_snippet_of_the_runbooks_parses()
    {
        // promtool checks rule expressions: each snippet becomes one recording rule.
        var snippets = Runbooks.PromqlSnippets();
        Assert.NotEmpty(snippets);
        var rules = snippets.Select((q, i) => $"      - record: runbook:q{i}\n        expr: {System.Text.Json.JsonSerializer.Serialize(q)}\n");
        var file = Path.Combine(Path.GetTempPath(), $"kubemonitor-runbooks-{Guid.NewGuid():N}.yaml");
        try
        {
            await File.WriteAllTextAsync(file, "groups:\n  - name: runbooks\n    rules:\n" + string.Concat(rules));
            await Tool.RunOkAsync("promtool", ["check", "rules", file]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>docs/runbooks.md#anchor, after whatever base a deployment puts in front of it.</summary>
    [GeneratedRegex(@"^(?:.*/)?docs/runbooks\.md#(?<anchor>[^#/]+)$")]
    private static partial Regex RunbookLink();

    /// <summary>The part of promtool's test file format read here.</summary>
    public sealed class RuleTestFile
    {
        public List<RuleTestGroup> Tests { get; set; } = [];
    }

    public sealed class RuleTestGroup
    {
        public List<AlertCheck> AlertRuleTest { get; set; } = [];
    }

    public sealed class AlertCheck
    {
        public string Alertname { get; set; } = "";
        public List<object> ExpAlerts { get; set; } = [];
    }
}

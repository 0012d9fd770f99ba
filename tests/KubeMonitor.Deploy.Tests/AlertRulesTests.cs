using KubeMonitor.Deploy.Tests.Support;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace KubeMonitor.Deploy.Tests;

/// <summary>deploy/prometheus/alerts.yaml is valid for Prometheus, and every alert is unit-tested firing and not firing (issue 3, 2).</summary>
public sealed class AlertRulesTests
{
    private static readonly string[] Severities = ["info", "warning", "critical"];

    private static readonly string[] RequiredAlerts =
    [
        "KubeMonitorExporterDown", "KubeMonitorPushFailing", "KubeMonitorPushBuffering", "KubeMonitorFacadeNotReceiving",
        "KubeMonitorPodCpuThrottlingHigh", "KubeMonitorContainerNearMemoryLimit", "KubeMonitorPodOomKilled",
        "KubeMonitorNodeMemorySaturated", "KubeMonitorNodeCpuSaturated",
    ];

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

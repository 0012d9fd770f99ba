using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>grafana/dashboards/kubemonitor.json read as Grafana would: panels (rows included), their targets and the variables.</summary>
internal sealed partial class Dashboard
{
    public static string FilePath => Path.Combine(RepoPaths.Root, "grafana", "dashboards", "kubemonitor.json");

    /// <summary>Variables Grafana defines itself.</summary>
    public static readonly IReadOnlySet<string> BuiltIns = new HashSet<string>(StringComparer.Ordinal)
    {
        "__rate_interval", "__interval", "__range", "__interval_ms", "__range_s",
    };

    public JsonObject Json { get; }

    public Dashboard() => Json = JsonNode.Parse(File.ReadAllText(FilePath))!.AsObject();

    public IReadOnlyList<JsonObject> Variables => [.. Json["templating"]!["list"]!.AsArray().Select(v => v!.AsObject())];

    public IReadOnlyList<JsonObject> Panels =>
        [.. Json["panels"]!.AsArray().Select(p => p!.AsObject())
            .SelectMany(p => p["panels"] is JsonArray nested ? [p, .. nested.Select(n => n!.AsObject())] : new[] { p })];

    public IEnumerable<(string Panel, string RefId, string Expr)> Targets =>
        Panels.Where(p => p["targets"] is JsonArray).SelectMany(p => p["targets"]!.AsArray().Select(t =>
            ((string)p["title"]!, (string)t!["refId"]!, (string)t["expr"]!)));

    /// <summary>Every $name, ${name} and [[name]] in the JSON's strings.</summary>
    public static IEnumerable<string> References(string text) =>
        VariableReference().Matches(text).Select(m => m.Groups["a"].Success ? m.Groups["a"].Value : m.Groups["b"].Success ? m.Groups["b"].Value : m.Groups["c"].Value);

    /// <summary>A query with the variables replaced by values, as Grafana sends it.</summary>
    public static string Substitute(string query, IReadOnlyDictionary<string, string> values) =>
        VariableReference().Replace(query, m =>
        {
            var name = References(m.Value).Single();
            return values.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"No value for ${name} in {query}");
        });

    /// <summary>Grafana's label_values(selector, label) query.</summary>
    public static (string Selector, string Label) ParseLabelValues(string query)
    {
        var match = LabelValuesQuery().Match(query);
        Assert.True(match.Success, $"Not a label_values(selector, label) query: {query}");
        return (match.Groups["selector"].Value.Trim(), match.Groups["label"].Value.Trim());
    }

    /// <summary>Identifiers that name a metric in PromQL: a name before a selector or range, or standing alone (as in label_values).</summary>
    public static IEnumerable<string> MetricNames(string promql) =>
        MetricName().Matches(promql).Select(m => m.Value);

    /// <summary>Each metric selector in a query: the metric and its {labels} ("" when it has none).</summary>
    public static IEnumerable<(string Metric, string Labels)> Selectors(string promql) =>
        Selector().Matches(promql).Select(m => (m.Groups["metric"].Value, m.Groups["labels"].Value));

    /// <summary>Whether every use of the metric is the range inside rate, irate or increase.</summary>
    public static bool IsOnlyRated(string promql, string metric) =>
        Regex.Count(promql, $@"\b{metric}\b") == Regex.Count(promql, $@"\b(rate|irate|increase)\(\s*{metric}(\{{[^}}]*\}})?\[");

    /// <summary>A target's unit and y axis: its byFrameRefID override, else the panel's defaults ("left" and "auto" are one axis).</summary>
    public static (string? Unit, string Axis) UnitAndAxis(JsonObject panel, string refId)
    {
        var defaults = panel["fieldConfig"]?["defaults"];
        var properties = (panel["fieldConfig"]?["overrides"] as JsonArray ?? [])
            .Where(o => (string?)o!["matcher"]!["id"] == "byFrameRefID" && (string?)o["matcher"]!["options"] == refId)
            .SelectMany(o => o!["properties"]!.AsArray()).ToDictionary(p => (string)p!["id"]!, p => p!["value"], StringComparer.Ordinal);
        var unit = properties.TryGetValue("unit", out var u) ? (string?)u : (string?)defaults?["unit"];
        var axis = properties.TryGetValue("custom.axisPlacement", out var a) ? (string?)a : (string?)defaults?["custom"]?["axisPlacement"];
        return (unit, axis is null or "auto" ? "left" : axis);
    }

    [GeneratedRegex(@"\b(?<metric>kubemonitor_[a-z0-9_]+|up)\b(?<labels>\{[^}]*\})?")]
    private static partial Regex Selector();

    [GeneratedRegex(@"\$\{(?<a>\w+)(?::\w+)?\}|\$(?<b>\w+)|\[\[(?<c>\w+)\]\]")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^label_values\((?<selector>.+),\s*(?<label>\w+)\s*\)$")]
    private static partial Regex LabelValuesQuery();

    // kubemonitor_ names anywhere, and any identifier directly followed by a selector '{'.
    [GeneratedRegex(@"\bkubemonitor_[a-z0-9_]+\b|\b[a-zA-Z_:][a-zA-Z0-9_:]*(?=\{)")]
    private static partial Regex MetricName();
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>
/// The checks Grafana applies when it imports or provisions a dashboard (no npm package validates
/// dashboards: @grafana/schema has TypeScript types only). Each broken rule is one line naming what is wrong.
/// </summary>
internal static partial class DashboardStructure
{
    // Built-in panel types of Grafana 10/11; a plugin panel would need its plugin installed.
    private static readonly HashSet<string> PanelTypes = new(StringComparer.Ordinal)
    {
        "row", "timeseries", "stat", "table", "gauge", "bargauge", "barchart", "text", "heatmap", "piechart", "state-timeline", "logs",
    };

    private static readonly HashSet<string> VariableTypes = new(StringComparer.Ordinal)
    {
        "query", "datasource", "custom", "constant", "interval", "textbox", "adhoc",
    };

    private static readonly HashSet<string> OverrideMatchers = new(StringComparer.Ordinal)
    {
        "byName", "byRegexp", "byFrameRefID", "byType", "byValue", "byNames",
    };

    public static IReadOnlyList<string> Problems(JsonObject dashboard)
    {
        var problems = new List<string>();
        Top(dashboard, problems);
        var variables = Variables(dashboard, problems);
        var panels = Panels(dashboard, problems);
        foreach (var panel in panels)
        {
            Panel(panel, variables, problems);
        }
        Grid(panels, problems);
        return problems;
    }

    private static void Top(JsonObject dashboard, List<string> problems)
    {
        if (Text(dashboard["title"]) is not { Length: > 0 }) problems.Add("No title.");
        if (Text(dashboard["uid"]) is not { } uid || !Uid().IsMatch(uid)) problems.Add("The uid is not 1-40 of [A-Za-z0-9_-].");
        if (dashboard["schemaVersion"] is not JsonValue schema || !schema.TryGetValue<int>(out _)) problems.Add("No integer schemaVersion.");
        if (dashboard["panels"] is not JsonArray) problems.Add("No panels array.");
        if (dashboard["templating"]?["list"] is not JsonArray) problems.Add("No templating.list array.");
        if (Text(dashboard["time"]?["from"]) is null || Text(dashboard["time"]?["to"]) is null) problems.Add("No time.from and time.to.");
    }

    /// <summary>The variables by name, each checked and each using only variables defined before it.</summary>
    private static Dictionary<string, JsonObject> Variables(JsonObject dashboard, List<string> problems)
    {
        var defined = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var variable in (dashboard["templating"]?["list"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = Text(variable["name"]) ?? "";
            if (!Identifier().IsMatch(name)) problems.Add($"Variable name '{name}' is not an identifier.");
            if (!defined.TryAdd(name, variable)) problems.Add($"Variable {name} is defined twice.");
            if (!VariableTypes.Contains(Text(variable["type"]) ?? "")) problems.Add($"Variable {name} has unknown type '{Text(variable["type"])}'.");
            if (Text(variable["type"]) == "query") DatasourceRef($"Variable {name}", variable["datasource"], defined, problems);
            var used = Dashboard.References(variable.ToJsonString()).Where(r => r != name && !Dashboard.BuiltIns.Contains(r));
            foreach (var later in used.Where(r => !defined.ContainsKey(r)).Distinct())
            {
                problems.Add($"Variable {name} uses ${later}, not defined before it.");
            }
            var multi = variable["multi"] is JsonValue m && m.GetValue<bool>();
            if (variable["current"]?["value"] is JsonArray && !multi) problems.Add($"Variable {name} is single-select with a list as its current value.");
            var includeAll = variable["includeAll"] is JsonValue a && a.GetValue<bool>();
            if (variable["allValue"] is not null && !includeAll) problems.Add($"Variable {name} has an allValue but no All option.");
        }
        return defined;
    }

    /// <summary>Panels in grid order with rows' nested panels; ids unique, rows well formed.</summary>
    private static List<JsonObject> Panels(JsonObject dashboard, List<string> problems)
    {
        var panels = new List<JsonObject>();
        foreach (var panel in (dashboard["panels"] as JsonArray ?? []).OfType<JsonObject>())
        {
            panels.Add(panel);
            if (Text(panel["type"]) != "row") continue;
            var collapsed = panel["collapsed"] is JsonValue c && c.GetValue<bool>();
            var nested = (panel["panels"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            // An open row's panels follow it at the top level; only a collapsed row keeps them inside.
            if (!collapsed && nested.Count > 0) problems.Add($"Open row '{Text(panel["title"])}' holds panels.");
            panels.AddRange(nested);
        }
        var ids = panels.Select(p => p["id"] is JsonValue v && v.TryGetValue<int>(out var id) ? id : 0).ToList();
        if (ids.Any(id => id <= 0)) problems.Add("A panel has no positive integer id.");
        foreach (var id in ids.Where(id => id > 0).GroupBy(id => id).Where(g => g.Count() > 1))
        {
            problems.Add($"Panel id {id.Key} is used {id.Count()} times.");
        }
        return panels;
    }

    private static void Panel(JsonObject panel, Dictionary<string, JsonObject> variables, List<string> problems)
    {
        var title = Text(panel["title"]) ?? "(untitled)";
        var type = Text(panel["type"]) ?? "";
        if (!PanelTypes.Contains(type)) problems.Add($"{title}: unknown panel type '{type}'.");
        if (type == "row") return;
        DatasourceRef(title, panel["datasource"], variables, problems);
        var targets = (panel["targets"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (targets.Count == 0 && type != "text") problems.Add($"{title}: no targets.");
        var refIds = targets.Select(t => Text(t["refId"]) ?? "").ToList();
        if (refIds.Any(r => r.Length == 0) || refIds.Distinct(StringComparer.Ordinal).Count() != refIds.Count) problems.Add($"{title}: refIds missing or repeated.");
        foreach (var target in targets)
        {
            DatasourceRef($"{title} [{Text(target["refId"])}]", target["datasource"], variables, problems);
            if (Text(target["expr"]) is not { Length: > 0 }) problems.Add($"{title} [{Text(target["refId"])}]: no expr.");
        }
        foreach (var undefined in Dashboard.References(panel.ToJsonString()).Where(r => !variables.ContainsKey(r) && !Dashboard.BuiltIns.Contains(r)).Distinct())
        {
            problems.Add($"{title}: ${undefined} is not a variable.");
        }
        foreach (var over in (panel["fieldConfig"]?["overrides"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var matcher = Text(over["matcher"]?["id"]) ?? "";
            if (!OverrideMatchers.Contains(matcher)) problems.Add($"{title}: unknown override matcher '{matcher}'.");
            if (matcher == "byFrameRefID" && !refIds.Contains(Text(over["matcher"]?["options"]) ?? "")) problems.Add($"{title}: an override names no target's refId.");
            if ((over["properties"] as JsonArray ?? []).OfType<JsonObject>().Any(p => Text(p["id"]) is not { Length: > 0 })) problems.Add($"{title}: an override property has no id.");
        }
    }

    /// <summary>A datasource reference: a prometheus-type object whose uid is a datasource variable (or a fixed uid).</summary>
    private static void DatasourceRef(string where, JsonNode? reference, Dictionary<string, JsonObject> variables, List<string> problems)
    {
        if (reference is not JsonObject ds || Text(ds["type"]) is not { Length: > 0 } || Text(ds["uid"]) is not { Length: > 0 } uid)
        {
            problems.Add($"{where}: the datasource is not a {{type, uid}} reference.");
            return;
        }
        var named = Dashboard.References(uid).ToList();
        if (named.Count > 0 && !named.All(n => variables.TryGetValue(n, out var v) && Text(v["type"]) == "datasource"))
        {
            problems.Add($"{where}: datasource uid {uid} is not a datasource variable.");
        }
    }

    private static void Grid(List<JsonObject> panels, List<string> problems)
    {
        var boxes = new List<(string Title, int X, int Y, int W, int H)>();
        foreach (var panel in panels)
        {
            var title = Text(panel["title"]) ?? "(untitled)";
            int? Cell(string key) => panel["gridPos"]?[key] is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;
            if (Cell("x") is not { } x || Cell("y") is not { } y || Cell("w") is not { } w || Cell("h") is not { } h)
            {
                problems.Add($"{title}: gridPos needs integer x, y, w and h.");
                continue;
            }
            if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > 24) problems.Add($"{title}: gridPos {x},{y} {w}x{h} is outside the 24 columns.");
            if (Text(panel["type"]) == "row" && (x, w, h) != (0, 24, 1)) problems.Add($"{title}: a row spans the 24 columns, 1 high.");
            boxes.Add((title, x, y, w, h));
        }
        for (var i = 0; i < boxes.Count; i++)
        {
            for (var j = i + 1; j < boxes.Count; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                if (a.X < b.X + b.W && b.X < a.X + a.W && a.Y < b.Y + b.H && b.Y < a.Y + a.H) problems.Add($"{a.Title} and {b.Title} overlap.");
            }
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex Uid();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();
}

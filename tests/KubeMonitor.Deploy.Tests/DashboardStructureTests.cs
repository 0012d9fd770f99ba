using System.Text.Json.Nodes;
using KubeMonitor.Deploy.Tests.Support;

namespace KubeMonitor.Deploy.Tests;

/// <summary>The dashboard against the rules Grafana applies on import (<see cref="DashboardStructure"/>), and those rules against broken copies.</summary>
public sealed class DashboardStructureTests
{
    [Fact]
    public void The_shipped_dashboard_breaks_none_of_grafanas_import_rules()
    {
        Assert.Empty(DashboardStructure.Problems(new Dashboard().Json));
    }

    [Theory]
    [InlineData("duplicate id", "Panel id")]
    [InlineData("wider than the grid", "outside the 24 columns")]
    [InlineData("overlapping", "overlap")]
    [InlineData("undefined variable", "is not a variable")]
    [InlineData("fixed datasource variable", "not a datasource variable")]
    [InlineData("repeated refId", "refIds missing or repeated")]
    [InlineData("override for no target", "names no target's refId")]
    [InlineData("variable used before defined", "not defined before it")]
    public void A_broken_copy_is_reported(string breakage, string expected)
    {
        var json = new Dashboard().Json;
        var panels = json["panels"]!.AsArray();
        var first = panels.OfType<JsonObject>().First(p => (string)p["type"]! != "row" && p["targets"]!.AsArray().Count > 1);
        var second = panels.OfType<JsonObject>().Last(p => (string)p["type"]! != "row");
        var variables = json["templating"]!["list"]!.AsArray();
        switch (breakage)
        {
            case "duplicate id": second["id"] = (int)first["id"]!; break;
            case "wider than the grid": first["gridPos"]!["w"] = 25; break;
            case "overlapping": second["gridPos"] = first["gridPos"]!.DeepClone(); break;
            case "undefined variable": first["targets"]![0]!["expr"] = "up{node=\"$nowhere\"}"; break;
            case "fixed datasource variable": first["datasource"]!["uid"] = "${node}"; break;
            case "repeated refId": first["targets"]![1]!["refId"] = (string)first["targets"]![0]!["refId"]!; break;
            case "override for no target":
                first["fieldConfig"]!["overrides"]!.AsArray().Add(JsonNode.Parse("""{"matcher": {"id": "byFrameRefID", "options": "Z"}, "properties": []}"""));
                break;
            case "variable used before defined":
                var pod = variables[^1]!;
                variables.RemoveAt(variables.Count - 1);
                variables.Insert(1, pod);
                break;
        }
        Assert.Contains(DashboardStructure.Problems(json), p => p.Contains(expected, StringComparison.Ordinal));
    }
}

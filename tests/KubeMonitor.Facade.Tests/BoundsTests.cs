using System.Globalization;
using System.Text.Json.Nodes;

namespace KubeMonitor.Facade.Tests;

/// <summary>Every derived number is finite or null: inputs above 2^64 are a 400, the largest ones add up finitely.</summary>
public sealed class BoundsTests : IDisposable
{
    private const string TwoTo64 = "18446744073709551616";
    private readonly FacadeFactory _facade = new();

    public void Dispose() => _facade.Dispose();

    [Theory]
    [InlineData("1e308")]
    [InlineData("18446744073709555000")]
    [InlineData("1.8446744073709556e19")]
    public async Task A_value_above_two_to_the_64_is_a_400_and_nothing_is_stored(string value)
    {
        var body = $$$"""{"timestamp":"{{{FacadeFactory.At(0)}}}","pods":[{"name":"a","namespace":"x","memory":{"workingSetBytes":{{{value}}}}}]}""";
        using var response = await _facade.PostJsonAsync("/api/nodes/node-1/batch", body);
        var problem = await FacadeFactory.AssertProblemAsync(response, 400);
        Assert.Contains("memory.workingSetBytes", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Equal(0L, _facade.Store.SeriesCount);
    }

    [Fact]
    public async Task The_largest_values_one_millisecond_apart_give_finite_sums_rates_and_summaries()
    {
        for (var i = 0; i < 2; i++)
        {
            var t = FacadeFactory.Start.AddMilliseconds(i).UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            var counter = i == 0 ? "0" : TwoTo64;
            var body = $$$"""
                {"timestamp":"{{{t}}}","node":{"cpu":{"usageSecondsTotal":{{{counter}}},"capacityCores":{{{TwoTo64}}}},"memory":{"totalBytes":{{{TwoTo64}}},"availableBytes":0},
                 "disk":{"readBytesTotal":{{{counter}}},"writeBytesTotal":{{{counter}}}},"network":{"rxBytesTotal":{{{counter}}},"txBytesTotal":{{{counter}}}}},
                 "pods":[
                   {"name":"a","namespace":"x","cpu":{"usageSecondsTotal":{{{counter}}}},"memory":{"workingSetBytes":{{{TwoTo64}}},"usageBytes":{{{TwoTo64}}}},"network":{"rxBytesTotal":{{{counter}}},"txBytesTotal":{{{counter}}}},
                    "containers":[{"name":"c","cpu":{"usageSecondsTotal":{{{counter}}}},"memory":{"workingSetBytes":{{{TwoTo64}}}}}]},
                   {"name":"b","namespace":"x","ownerKind":"ReplicaSet","ownerName":"d-1","cpu":{"usageSecondsTotal":{{{counter}}}},"memory":{"workingSetBytes":{{{TwoTo64}}},"usageBytes":{{{TwoTo64}}}}}]}
                """;
            using var response = await _facade.PostJsonAsync("/api/nodes/node-1/batch", body);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        }
        _facade.SetTime(1);
        foreach (var path in new[]
        {
            "/api/nodes", "/api/nodes/node-1", "/api/nodes/node-1?window=1&step=1", "/api/pods", "/api/pods/a", "/api/pods/a?window=1&step=1",
            "/api/namespaces", "/api/namespaces/x", "/api/namespaces/x?window=1&step=1", "/api/namespaces/x/pods",
            "/api/namespaces/x/deployments", "/api/namespaces/x/deployments/d", "/api/namespaces/x/deployments/d?window=1&step=1",
        })
        {
            var json = await _facade.GetJsonAsync(path);
            FacadeFactory.AssertNumbersFinite(json, path);
        }
        var node = await _facade.GetJsonAsync("/api/nodes/node-1");
        Assert.Equal(18446744073709551616.0 * 1000, (double)node["cpu"]!["usageCores"]!);
        var ns = await _facade.GetJsonAsync("/api/namespaces/x");
        Assert.Equal(2 * 18446744073709551616.0, (double)ns["memory"]!["workingSetBytes"]!);
    }
}

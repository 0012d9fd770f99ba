using System.Globalization;
using System.Text.Json.Nodes;

namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>One series of a range-selector answer (<c>resultType</c> matrix): its labels, <c>__name__</c> included, and its raw samples.</summary>
public sealed record QueriedSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<(long TimestampMs, double Value)> Samples)
{
    /// <summary>Reads the <c>data</c> of a query answer; anything but a matrix throws.</summary>
    public static IReadOnlyList<QueriedSeries> FromMatrix(JsonNode data)
    {
        if ((string?)data["resultType"] != "matrix") throw new InvalidOperationException($"Expected a matrix (a range selector), got: {data.ToJsonString()}");
        return [.. data["result"]!.AsArray().Select(series => new QueriedSeries(
            series!["metric"]!.AsObject().ToDictionary(l => l.Key, l => (string)l.Value!, StringComparer.Ordinal),
            [.. series["values"]!.AsArray().Select(point => (
                // Seconds with millisecond decimals: decimal keeps them exact.
                (long)(point![0]!.GetValue<decimal>() * 1000),
                double.Parse((string)point[1]!, CultureInfo.InvariantCulture)))]))];
    }
}

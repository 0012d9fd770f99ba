using System.Globalization;

namespace KubeMonitor.EndToEnd.Tests.Support;

/// <summary>Reads values out of a Prometheus text exposition.</summary>
internal static class PromText
{
    /// <summary>The sum over the series of <paramref name="metric"/> that carry every given label="value"; null when none does.</summary>
    public static double? Sum(string exposition, string metric, params string[] labels)
    {
        double? sum = null;
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith('#')) continue;
            var nameEnd = line.IndexOfAny(['{', ' ']);
            if (nameEnd < 0 || line[..nameEnd] != metric) continue;
            if (!labels.All(label => line.Contains(label, StringComparison.Ordinal))) continue;
            var valueStart = line.LastIndexOf('}') is var brace and >= 0 ? brace + 1 : nameEnd;
            var value = line[valueStart..].Trim().Split(' ')[0];
            sum = (sum ?? 0) + double.Parse(value, CultureInfo.InvariantCulture);
        }
        return sum;
    }

    /// <summary>Every series of <paramref name="metric"/>: its label text and value.</summary>
    public static IReadOnlyList<(string Labels, double Value)> Series(string exposition, string metric) =>
        exposition.Split('\n')
            .Where(line => !line.StartsWith('#') && line.StartsWith(metric + "{", StringComparison.Ordinal))
            .Select(line => (line[(metric.Length + 1)..line.LastIndexOf('}')], double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture)))
            .ToList();
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace KubeMonitor.Exporter.Tests.NodeExporter;

internal sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);

/// <summary>The samples of a text exposition (enough of the format for node_exporter and ours).</summary>
internal static partial class TextSamples
{
    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)",?""")]
    private static partial Regex LabelPair();

    public static List<Sample> Parse(string text) =>
    [
        .. text.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => SampleLine().Match(line))
            .Select(m => new Sample(
                m.Groups["name"].Value,
                LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups["key"].Value, l => l.Groups["value"].Value, StringComparer.Ordinal),
                double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture))),
    ];

    /// <summary>node_exporter's node CPU usage as docs/api.md section 5 defines it: the five busy modes over every CPU.</summary>
    public static double NodeExporterCpuUsageSeconds(List<Sample> samples) =>
        samples.Where(s => s.Name == "node_cpu_seconds_total" && s.Labels["mode"] is "user" or "nice" or "system" or "irq" or "softirq").Sum(s => s.Value);
}

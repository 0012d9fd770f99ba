using System.Text;
using Prometheus;

namespace KubeMonitor.Exporter.Tests.Support;

internal static class Exposition
{
    public static async Task<string> TextAsync(CollectorRegistry registry, ExpositionFormat format = ExpositionFormat.PrometheusText)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, format, CancellationToken.None);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The lines of the given metric families (their HELP, TYPE and samples), in output order.</summary>
    public static string Only(string text, params string[] prefixes) =>
        string.Concat(text.Split('\n')
            .Where(line => prefixes.Any(p => line.StartsWith(p, StringComparison.Ordinal)
                || line.StartsWith("# HELP " + p, StringComparison.Ordinal)
                || line.StartsWith("# TYPE " + p, StringComparison.Ordinal)))
            .Select(line => line + "\n"));
}

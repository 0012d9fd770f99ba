using Microsoft.Net.Http.Headers;
using Prometheus;

namespace KubeMonitor.Exporter.Metrics;

public static class MetricsEndpoint
{
    private const string OpenMetricsMediaType = "application/openmetrics-text";
    private const string OpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private const string TextContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// /metrics in the text format, or OpenMetrics when the scraper's Accept header names it (as
    /// Prometheus' does). Each scrape waits for a collection at most 1 s old, as node_exporter
    /// reads the kernel on every scrape (<see cref="ScrapeExposition"/>). No sample carries a
    /// timestamp: Prometheus stamps each with the scrape's time.
    /// </summary>
    public static IEndpointConventionBuilder MapFreshMetrics(this IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var exposition = endpoints.ServiceProvider.GetRequiredService<ScrapeExposition>();
        return endpoints.MapGet(pattern, async (HttpContext context) =>
        {
            var openMetrics = AcceptsOpenMetrics(context.Request.Headers.Accept);
            var bytes = await exposition.GetAsync(openMetrics ? ExpositionFormat.OpenMetricsText : ExpositionFormat.PrometheusText, context.RequestAborted).ConfigureAwait(false);
            context.Response.ContentType = openMetrics ? OpenMetricsContentType : TextContentType;
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        });
    }

    /// <summary>True when any media range of the Accept header is OpenMetrics' (its quality is not weighed, as prometheus-net does not).</summary>
    internal static bool AcceptsOpenMetrics(IEnumerable<string?> accept)
    {
        foreach (var header in accept)
        {
            if (header is null) continue;
            foreach (var range in header.Split(','))
            {
                if (MediaTypeHeaderValue.TryParse(range, out var media)
                    && string.Equals(media.MediaType.Value, OpenMetricsMediaType, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }
        return false;
    }
}

using KubeMonitor.Exporter.Collection;
using Prometheus;

namespace KubeMonitor.Exporter.Metrics;

public static class MetricsEndpoint
{
    /// <summary>
    /// /metrics in the text format and OpenMetrics. Before each scrape the registry asks for a
    /// collection at most <see cref="FreshCollections.ScrapeMaxAge"/> old (docs/api.md section 4),
    /// as node_exporter reads the kernel on every scrape; the sinks have shown it by then. No
    /// sample carries a timestamp: Prometheus stamps each with the scrape's time.
    /// </summary>
    public static IEndpointConventionBuilder MapFreshMetrics(this IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var registry = endpoints.ServiceProvider.GetRequiredService<CollectorRegistry>();
        CollectBeforeEachScrape(registry, endpoints.ServiceProvider.GetRequiredService<FreshCollections>());
        return endpoints.MapMetrics(pattern, registry);
    }

    /// <summary>Every export of <paramref name="registry"/> first waits for a fresh enough collection.</summary>
    public static void CollectBeforeEachScrape(CollectorRegistry registry, FreshCollections collections)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(collections);
        registry.AddBeforeCollectCallback(cancel => collections.GetAsync(FreshCollections.ScrapeMaxAge, cancel));
    }
}

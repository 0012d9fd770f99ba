using KubeMonitor.Exporter.Metrics;

namespace Microsoft.Extensions.DependencyInjection;

public static class MetricsServiceCollectionExtensions
{
    /// <summary>
    /// The exporter's own registry (never the process-wide one, so no runtime metrics leak into
    /// /metrics), <see cref="ExporterMetrics"/> on it as a sink of every collection, and the
    /// <see cref="ScrapeExposition"/> that writes it out for scrapes.
    /// </summary>
    public static IServiceCollection AddExporterMetrics(this IServiceCollection services)
    {
        services.AddSingleton(_ => Prometheus.Metrics.NewCustomRegistry());
        services.AddSingleton(sp => new ExporterMetrics(sp.GetRequiredService<Prometheus.CollectorRegistry>()));
        services.AddSingleton<ScrapeExposition>();
        return services.AddCollectionSink<ExporterMetrics>();
    }
}

using KubeMonitor.Exporter.Collection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

public static class CollectionServiceCollectionExtensions
{
    // Sinks of the loop's one collection per interval are keyed apart from those of every collection.
    private const string IntervalSinks = "interval";

    /// <summary>
    /// The runner of every registered <see cref="ICollector"/> and <c>Action&lt;NodeSnapshot&gt;</c>
    /// post-processor, the shared <see cref="FreshCollections"/> and the interval loop (a hosted service).
    /// </summary>
    public static IServiceCollection AddCollection(this IServiceCollection services, string nodeName, TimeSpan interval)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new CollectionRunner(
            nodeName,
            sp.GetServices<ICollector>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CollectionRunner>>(),
            sp.GetServices<Action<NodeSnapshot>>()));
        services.AddSingleton(sp => new FreshCollections(
            sp.GetRequiredService<CollectionRunner>(),
            sp.GetServices<ICollectionSink>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new CollectionLoop(
            sp.GetRequiredService<FreshCollections>(),
            sp.GetKeyedServices<ICollectionSink>(IntervalSinks),
            interval,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CollectionLoop>>()));
        services.AddHostedService(sp => sp.GetRequiredService<CollectionLoop>());
        return services;
    }

    /// <summary>A sink of every collection, whether a scrape or the loop asked for it (/metrics).</summary>
    public static IServiceCollection AddCollectionSink<TSink>(this IServiceCollection services) where TSink : class, ICollectionSink =>
        services.AddSingleton<ICollectionSink>(sp => sp.GetRequiredService<TSink>());

    /// <summary>A sink of one collection per interval, the loop's (the push to the facades).</summary>
    public static IServiceCollection AddIntervalSink<TSink>(this IServiceCollection services) where TSink : class, ICollectionSink =>
        services.AddKeyedSingleton<ICollectionSink>(IntervalSinks, (sp, _) => sp.GetRequiredService<TSink>());
}

using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Storage.Durable;

internal static class DurableServices
{
    /// <summary>
    /// Readiness of the embedded store, and with <c>Facade:DataDirectory</c> the store on disk in
    /// front of it (pushes go to the log first; a start loads before it is ready). Off when absent.
    /// </summary>
    public static IServiceCollection AddDurableStore(this IServiceCollection services)
    {
        services.AddSingleton<StoreReadiness>();
        services.AddSingleton<DurableStore>();
        services.Replace(ServiceDescriptor.Singleton<ISampleStore>(sp =>
            sp.GetRequiredService<IOptions<FacadeOptions>>().Value.DataDirectory is null
                ? sp.GetRequiredService<InMemoryMetricsStore>()
                : sp.GetRequiredService<DurableStore>()));
        services.AddHostedService(sp => sp.GetRequiredService<DurableStore>());
        return services;
    }
}

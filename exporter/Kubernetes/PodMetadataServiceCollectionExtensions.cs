using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Kubernetes;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

public static class PodMetadataServiceCollectionExtensions
{
    /// <summary>
    /// Pod names and owners from the Kubernetes API (list + watch of this node's pods, a hosted
    /// service), joined into every collection's pods.
    /// </summary>
    public static IServiceCollection AddPodMetadata(this IServiceCollection services, KubernetesConnection kubernetes, string nodeName)
    {
        services.AddSingleton<PodMetadataCache>();
        services.AddSingleton<Action<NodeSnapshot>>(sp => sp.GetRequiredService<PodMetadataCache>().Annotate);
        services.AddHostedService(sp => new PodMetadataService(PodMetadataWatcher.Create(
            kubernetes, sp.GetRequiredService<PodMetadataCache>(), nodeName,
            sp.GetRequiredService<ILogger<PodMetadataWatcher>>())));
        return services;
    }
}

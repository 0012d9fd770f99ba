using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Kubernetes;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

public static class KubernetesMetadataServiceCollectionExtensions
{
    /// <summary>
    /// What the Kubernetes API says about this node and its pods, joined into every collection:
    /// pod names, owners, labels, requests and limits (list + watch of this node's pods) and the
    /// node's labels (list + watch of its Node object), in one hosted service.
    /// </summary>
    public static IServiceCollection AddKubernetesMetadata(this IServiceCollection services, KubernetesConnection kubernetes, string nodeName)
    {
        services.AddSingleton<PodMetadataCache>();
        services.AddSingleton(sp => new Holder(KubernetesWatchers.Create(
            kubernetes, sp.GetRequiredService<PodMetadataCache>(), nodeName, sp.GetRequiredService<ILogger<KubernetesMetadataService>>())));
        services.AddSingleton<Action<NodeSnapshot>>(sp => sp.GetRequiredService<PodMetadataCache>().Annotate);
        services.AddSingleton<Action<NodeSnapshot>>(sp => sp.GetRequiredService<Holder>().Watchers is { } watchers ? watchers.Node.Annotate : _ => { });
        services.AddHostedService(sp => new KubernetesMetadataService(sp.GetRequiredService<Holder>().Watchers));
        return services;
    }

    /// <summary>The container cannot hold a null singleton; this holds "no watchers".</summary>
    private sealed record Holder(KubernetesWatchers? Watchers);
}

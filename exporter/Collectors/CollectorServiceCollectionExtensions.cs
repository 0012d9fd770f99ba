using KubeMonitor.Exporter.Cgroups;
using KubeMonitor.Exporter.Collectors;
using KubeMonitor.Exporter.Host;
using ICollector = KubeMonitor.Exporter.Collection.ICollector;

namespace Microsoft.Extensions.DependencyInjection;

public static class CollectorServiceCollectionExtensions
{
    /// <summary>The node's CPU, memory, disks and network, in this order.</summary>
    public static IServiceCollection AddNodeCollectors(this IServiceCollection services, HostRoot root) =>
        services
            .AddSingleton<ICollector>(new NodeCpuCollector(root))
            .AddSingleton<ICollector>(new NodeMemoryCollector(root))
            .AddSingleton<ICollector>(new NodeDiskCollector(root))
            .AddSingleton<ICollector>(new NodeNetworkCollector(root));

    /// <summary>Every pod and container of the kubepods hierarchy.</summary>
    public static IServiceCollection AddPodCollector(this IServiceCollection services, HostRoot root, CgroupLayout layout) =>
        services.AddSingleton<ICollector>(new PodCollector(root, layout));
}

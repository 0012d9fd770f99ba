using k8s;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Kubernetes;

/// <summary>Builds the one Kubernetes client of the facade, from an explicit kubeconfig or the pod's ServiceAccount.</summary>
public static class KubernetesClientSetup
{
    /// <summary>True when an API server is configured: a kubeconfig option, or running inside a pod.</summary>
    public static bool IsConfigured(KubernetesOptions options) =>
        !string.IsNullOrEmpty(options.Kubeconfig) || KubernetesClientConfiguration.IsInCluster();

    /// <summary>
    /// Never <c>BuildDefaultConfig()</c>: with nothing configured it silently talks to
    /// http://localhost:8080, which is no API server anyone meant.
    /// </summary>
    public static KubernetesClientConfiguration BuildConfig(KubernetesOptions options)
    {
        if (!string.IsNullOrEmpty(options.Kubeconfig))
        {
            if (!File.Exists(options.Kubeconfig))
            {
                throw new InvalidOperationException($"{KubernetesOptions.Section}:Kubeconfig names a file that does not exist: {options.Kubeconfig}");
            }
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig, options.Context);
        }
        if (KubernetesClientConfiguration.IsInCluster()) return KubernetesClientConfiguration.InClusterConfig();
        throw new InvalidOperationException(
            $"No Kubernetes API server is configured: not running in a pod and {KubernetesOptions.Section}:Kubeconfig is not set.");
    }

    /// <summary>Registers <see cref="IKubernetes"/> (created on first use) and the bound <see cref="KubernetesOptions"/>.</summary>
    public static IServiceCollection AddKubernetesClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KubernetesOptions>().Bind(configuration.GetSection(KubernetesOptions.Section));
        services.TryAddSingleton<IKubernetes>(sp => new k8s.Kubernetes(BuildConfig(sp.GetRequiredService<IOptions<KubernetesOptions>>().Value)));
        return services;
    }
}

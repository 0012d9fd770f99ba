namespace KubeMonitor.Facade.Kubernetes;

/// <summary>How the facade reaches the Kubernetes API, bound from <c>Facade:Kubernetes</c>.</summary>
public sealed class KubernetesOptions
{
    public const string Section = "Facade:Kubernetes";

    /// <summary>A kubeconfig file; when set it wins over the in-cluster ServiceAccount.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>The kubeconfig context to use (default: its current-context).</summary>
    public string? Context { get; set; }

    /// <summary>
    /// Watch ReplicaSets to resolve pod owners to Deployments. Unset: on whenever an API
    /// server is configured (in a pod, or a kubeconfig given).
    /// </summary>
    public bool? WatchReplicaSets { get; set; }
}

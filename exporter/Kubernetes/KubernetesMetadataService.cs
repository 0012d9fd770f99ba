namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>
/// Runs the pod and node watches for the host's lifetime. Without an API server to watch (no
/// kubeconfig, not in a pod) there are none, which <see cref="KubernetesWatchers.Create"/> has logged once.
/// </summary>
public sealed class KubernetesMetadataService(KubernetesWatchers? watchers) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        watchers?.RunAsync(stoppingToken) ?? Task.CompletedTask;
}

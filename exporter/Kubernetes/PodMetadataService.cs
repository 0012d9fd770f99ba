namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>
/// Runs the pod watch for the host's lifetime. Without an API server to watch (no kubeconfig,
/// not in a pod) the watcher is null, which <see cref="PodMetadataWatcher.Create"/> has logged once.
/// </summary>
public sealed class PodMetadataService(PodMetadataWatcher? watcher) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        watcher?.RunAsync(stoppingToken) ?? Task.CompletedTask;
}

using KubeMonitor.Exporter.Collection;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>The pod and node watches of one exporter, on one API client.</summary>
public sealed record KubernetesWatchers(PodMetadataWatcher Pods, NodeLabelsWatcher Node)
{
    /// <summary>
    /// The watchers for <paramref name="connection"/>, or null (logged once) when there is no API to
    /// watch: pods then go by uid only and the node has no labels.
    /// </summary>
    public static KubernetesWatchers? Create(KubernetesConnection connection, PodMetadataCache cache, string nodeName,
        ILogger logger, ListWatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.Configuration is null)
        {
            logger.LogWarning("Kubernetes metadata off: {Reason}", connection.Description);
            return null;
        }
        logger.LogInformation("Kubernetes metadata for node {Node}: {Source}", nodeName, connection.Description);
        var api = new KubernetesWatchApi(connection.Configuration);
        return new KubernetesWatchers(
            new PodMetadataWatcher(api, cache, nodeName, logger, options),
            new NodeLabelsWatcher(api, nodeName, logger, options));
    }

    /// <summary>Runs both until <paramref name="stoppingToken"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken stoppingToken) => Task.WhenAll(Pods.RunAsync(stoppingToken), Node.RunAsync(stoppingToken));
}

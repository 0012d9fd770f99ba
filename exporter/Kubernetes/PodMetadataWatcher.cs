using k8s.Models;
using KubeMonitor.Exporter.Collection;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>
/// Keeps <see cref="PodMetadataCache"/> in step with the pods of one node (fieldSelector
/// spec.nodeName=&lt;node&gt;), through a <see cref="ListWatch{T}"/>. When the API server is away
/// the last known metadata stays in use.
/// </summary>
public sealed class PodMetadataWatcher : IListWatchTarget<V1Pod>
{
    private readonly KubernetesWatchApi _api;
    private readonly PodMetadataCache _cache;
    private readonly ListWatch<V1Pod> _loop;

    public PodMetadataWatcher(KubernetesWatchApi api, PodMetadataCache cache, string nodeName, ILogger logger,
        ListWatchOptions? options = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeName);
        _api = api;
        _cache = cache;
        FieldSelector = "spec.nodeName=" + nodeName;
        _loop = new ListWatch<V1Pod>(this, logger, options, time);
    }

    public string Kind => "pods";

    public string FieldSelector { get; }

    /// <summary>How many attempts in a row have failed (0 while the API server answers).</summary>
    public int ConsecutiveFailures => _loop.ConsecutiveFailures;

    /// <summary>The version the next watch resumes from; null before a list or right after a 410.</summary>
    public string? ResourceVersion => _loop.ResourceVersion;

    /// <summary>Runs until <paramref name="stoppingToken"/> is cancelled; never throws for API trouble.</summary>
    public Task RunAsync(CancellationToken stoppingToken) => _loop.RunAsync(stoppingToken);

    public async Task<ObjectList<V1Pod>> ListAsync(bool fromCache, CancellationToken cancellationToken)
    {
        var list = await _api.ListPodsAsync(FieldSelector, fromCache, cancellationToken).ConfigureAwait(false);
        return new ObjectList<V1Pod>([.. list.Items ?? []], list.Metadata?.ResourceVersion);
    }

    public Task<WatchConnection<V1Pod>> OpenWatchAsync(string? resourceVersion, int timeoutSeconds, CancellationToken cancellationToken) =>
        _api.OpenWatchAsync<V1Pod>("pods", FieldSelector, resourceVersion, timeoutSeconds, cancellationToken);

    public void ReplaceAll(IReadOnlyList<V1Pod> items)
    {
        var pods = new List<KeyValuePair<string, PodMetadata>>(items.Count);
        foreach (var pod in items)
        {
            if (PodMetadataMapper.CgroupUid(pod) is { } uid && PodMetadataMapper.ToMetadata(pod) is { } metadata)
                pods.Add(new(uid, metadata));
        }
        _cache.ReplaceAll(pods);
    }

    public void Apply(WatchEventType type, V1Pod item)
    {
        if (PodMetadataMapper.CgroupUid(item) is not { } uid) return;
        if (type == WatchEventType.Deleted)
        {
            _cache.Remove(uid);
        }
        else if (PodMetadataMapper.ToMetadata(item) is { } metadata)
        {
            _cache.Set(uid, metadata);
        }
    }
}

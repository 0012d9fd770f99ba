using System.Collections.Frozen;
using k8s.Models;
using KubeMonitor.Exporter.Collection;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>
/// The labels of the exporter's own Node, kept in step by a list + watch of that one object
/// (fieldSelector metadata.name=&lt;node&gt;), and joined into every collection. Unknown (null)
/// until the node is listed, when the API has no such node, and after it is deleted: the
/// snapshot then has no labels, which is not the same as a node without labels (empty).
/// </summary>
public sealed class NodeLabelsWatcher : IListWatchTarget<V1Node>
{
    private readonly KubernetesWatchApi _api;
    private readonly string _nodeName;
    private readonly ListWatch<V1Node> _loop;
    private volatile IReadOnlyDictionary<string, string>? _labels;

    public NodeLabelsWatcher(KubernetesWatchApi api, string nodeName, ILogger logger, ListWatchOptions? options = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeName);
        _api = api;
        _nodeName = nodeName;
        FieldSelector = "metadata.name=" + nodeName;
        _loop = new ListWatch<V1Node>(this, logger, options, time);
    }

    public string Kind => "nodes";

    public string FieldSelector { get; }

    /// <summary>The node's labels as last seen; null while unknown.</summary>
    public IReadOnlyDictionary<string, string>? Labels => _labels;

    /// <summary>The version the next watch resumes from; null before a list or right after a 410.</summary>
    public string? ResourceVersion => _loop.ResourceVersion;

    /// <summary>Runs until <paramref name="stoppingToken"/> is cancelled; never throws for API trouble.</summary>
    public Task RunAsync(CancellationToken stoppingToken) => _loop.RunAsync(stoppingToken);

    /// <summary>The join step of every collection.</summary>
    public void Annotate(NodeSnapshot snapshot) => snapshot.Labels = _labels;

    public async Task<ObjectList<V1Node>> ListAsync(bool fromCache, CancellationToken cancellationToken)
    {
        var list = await _api.ListNodesAsync(FieldSelector, fromCache, cancellationToken).ConfigureAwait(false);
        return new ObjectList<V1Node>([.. list.Items ?? []], list.Metadata?.ResourceVersion);
    }

    public Task<WatchConnection<V1Node>> OpenWatchAsync(string? resourceVersion, int timeoutSeconds, CancellationToken cancellationToken) =>
        _api.OpenWatchAsync<V1Node>("nodes", FieldSelector, resourceVersion, timeoutSeconds, cancellationToken);

    public void ReplaceAll(IReadOnlyList<V1Node> items) =>
        _labels = items.FirstOrDefault(IsThisNode) is { } node ? LabelsOf(node) : null;

    public void Apply(WatchEventType type, V1Node item)
    {
        if (!IsThisNode(item)) return;
        _labels = type == WatchEventType.Deleted ? null : LabelsOf(item);
    }

    // The field selector already picks this node; a server that ignored it must not mix in another's labels.
    private bool IsThisNode(V1Node node) => node.Metadata?.Name == _nodeName;

    private static FrozenDictionary<string, string> LabelsOf(V1Node node) =>
        (node.Metadata.Labels ?? new Dictionary<string, string>()).ToFrozenDictionary(StringComparer.Ordinal);
}

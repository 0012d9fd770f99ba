using k8s;
using k8s.Models;

namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>A list answer: its objects and the resourceVersion a watch resumes from (null when the server sent none).</summary>
public sealed record ObjectList<T>(IReadOnlyList<T> Items, string? ResourceVersion);

/// <summary>
/// One kind of Kubernetes object a <see cref="ListWatch{T}"/> keeps in step with: how it is
/// listed and watched, and what becomes of what arrives. The loop itself (relist on 410, back-off,
/// resuming) knows nothing of the kind.
/// </summary>
public interface IListWatchTarget<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The plural for the log ("pods", "nodes").</summary>
    string Kind { get; }

    string FieldSelector { get; }

    Task<ObjectList<T>> ListAsync(bool fromCache, CancellationToken cancellationToken);

    Task<WatchConnection<T>> OpenWatchAsync(string? resourceVersion, int timeoutSeconds, CancellationToken cancellationToken);

    /// <summary>A list's objects replace everything known: what is missing from it is gone.</summary>
    void ReplaceAll(IReadOnlyList<T> items);

    /// <summary>One ADDED, MODIFIED or DELETED event.</summary>
    void Apply(WatchEventType type, T item);
}

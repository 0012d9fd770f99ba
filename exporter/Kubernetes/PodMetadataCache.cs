using System.Collections.Immutable;
using KubeMonitor.Exporter.Collection;

namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>
/// What the exporter knows about the pods of its node, by the uid their cgroups carry. The watcher
/// writes (rarely); every collection reads through <see cref="Annotate"/>. Readers take the current
/// immutable map without a lock, so a relist replaces the whole map at once and a collection never
/// sees half of one.
/// </summary>
public sealed class PodMetadataCache
{
    private readonly Lock _writeLock = new();
    private volatile ImmutableDictionary<string, PodMetadata> _pods =
        ImmutableDictionary.Create<string, PodMetadata>(StringComparer.OrdinalIgnoreCase);

    public int Count => _pods.Count;

    public PodMetadata? Get(string uid) => _pods.GetValueOrDefault(uid);

    public IReadOnlyCollection<PodMetadata> All => _pods.Values.ToList();

    /// <summary>Adds or replaces one pod (watch ADDED or MODIFIED).</summary>
    public void Set(string uid, PodMetadata metadata)
    {
        lock (_writeLock) _pods = _pods.SetItem(uid, metadata);
    }

    /// <summary>Forgets one pod (watch DELETED).</summary>
    public void Remove(string uid)
    {
        lock (_writeLock) _pods = _pods.Remove(uid);
    }

    /// <summary>Replaces everything with the result of a list: pods missing from it are gone.</summary>
    public void ReplaceAll(IEnumerable<KeyValuePair<string, PodMetadata>> pods)
    {
        var next = ImmutableDictionary.CreateBuilder<string, PodMetadata>(StringComparer.OrdinalIgnoreCase);
        foreach (var (uid, metadata) in pods) next[uid] = metadata;
        lock (_writeLock) _pods = next.ToImmutable();
    }

    /// <summary>
    /// The join step of every collection: each pod whose uid is known gets its metadata, and each
    /// container whose id the pod status lists gets its name. Unknown pods and containers keep
    /// null (they are labelled by uid or id only).
    /// </summary>
    public void Annotate(NodeSnapshot snapshot)
    {
        if (snapshot.Pods is not { } pods) return;
        var known = _pods;
        foreach (var pod in pods)
        {
            if (!known.TryGetValue(pod.Uid, out var metadata)) continue;
            pod.Metadata = metadata;
            foreach (var container in pod.Containers)
            {
                if (metadata.ContainerNamesById.TryGetValue(container.Id, out var name)) container.Name = name;
            }
        }
    }
}

namespace KubeMonitor.Facade.Storage;

/// <summary>Pod entities sorted by (namespace, name): an immutable snapshot of the set of pods.</summary>
internal sealed class PodIndex
{
    private readonly PodKey[] _keys;

    public PodIndex(long version, PodEntity[] entities)
    {
        Version = version;
        _keys = Array.ConvertAll(entities, e => e.Key);
        Array.Sort(_keys, entities);
        Entities = entities;
    }

    public long Version { get; }

    public PodEntity[] Entities { get; }

    public int Count => _keys.Length;

    /// <summary>[start, end) of the pods in <paramref name="ns"/>.</summary>
    public (int Start, int End) NamespaceRange(string ns)
    {
        var start = LowerBound(k => string.CompareOrdinal(k.Namespace, ns) >= 0);
        var end = LowerBound(k => string.CompareOrdinal(k.Namespace, ns) > 0);
        return (start, end);
    }

    /// <summary>The position of the first pod after <paramref name="key"/> in pods ordered by key.</summary>
    public static int FirstAfter(PodEntity[] ordered, PodKey key)
    {
        int low = 0, high = ordered.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (ordered[middle].Key.CompareTo(key) > 0) high = middle;
            else low = middle + 1;
        }
        return low;
    }

    private Dictionary<string, PodEntity[]>? _byNode;

    /// <summary>The pods charged to <paramref name="node"/> (optionally of one namespace), in order: <c>?node=</c> without a scan.</summary>
    public PodEntity[] OnNode(string node, string? ns)
    {
        var byNode = Volatile.Read(ref _byNode);
        if (byNode is null)
        {
            // Built once per index, on the first ?node= query; Entities is already in order.
            byNode = Entities.GroupBy(e => e.ChargedNode, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
            Volatile.Write(ref _byNode, byNode);
        }
        var pods = byNode.GetValueOrDefault(node, []);
        return ns is null ? pods : pods.Where(p => p.Key.Namespace == ns).ToArray();
    }

    /// <summary>The first position whose key satisfies a predicate that is false then true along the order.</summary>
    private int LowerBound(Func<PodKey, bool> atOrPast)
    {
        int low = 0, high = _keys.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (atOrPast(_keys[middle])) high = middle;
            else low = middle + 1;
        }
        return low;
    }
}

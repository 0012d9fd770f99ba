namespace KubeMonitor.Facade.Storage;

/// <summary>A pod's identity in the store, ordered by namespace then name.</summary>
internal readonly record struct PodKey(string Namespace, string Name) : IComparable<PodKey>
{
    public int CompareTo(PodKey other)
    {
        var byNamespace = string.CompareOrdinal(Namespace, other.Namespace);
        return byNamespace != 0 ? byNamespace : string.CompareOrdinal(Name, other.Name);
    }
}

namespace KubeMonitor.Facade.Storage;

/// <summary>A pod's name in its namespace; ordered by namespace then name, the order of every pod list.</summary>
internal readonly record struct PodKey(string Namespace, string Name) : IComparable<PodKey>
{
    public int CompareTo(PodKey other)
    {
        var byNamespace = string.CompareOrdinal(Namespace, other.Namespace);
        return byNamespace != 0 ? byNamespace : string.CompareOrdinal(Name, other.Name);
    }
}

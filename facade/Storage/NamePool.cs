using System.Collections.Concurrent;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// One copy of each name that many pods share: namespaces, nodes, owners, deployments, container
/// names. Every push reads them anew, and each pod kept its own copies from its first sample
/// (about 200 B a pod). Process-wide and bounded: past <see cref="Capacity"/> names the pool
/// starts over (what pods hold stays theirs), so names of pods long gone cannot pile up.
/// </summary>
internal static class NamePool
{
    public const int Capacity = 100_000;

    private static ConcurrentDictionary<string, string> s_names = new(StringComparer.Ordinal);
    private static int s_count;

    /// <summary>The pool's copy of <paramref name="name"/>, which becomes it if there is none.</summary>
    public static string Share(string name)
    {
        var names = Volatile.Read(ref s_names);
        if (names.TryGetValue(name, out var shared)) return shared;
        if (Interlocked.Increment(ref s_count) > Capacity)
        {
            // Another thread may add to the old pool meanwhile: that name is then not shared, no more.
            Volatile.Write(ref s_names, names = new ConcurrentDictionary<string, string>(StringComparer.Ordinal));
            Interlocked.Exchange(ref s_count, 1);
        }
        return names.GetOrAdd(name, name);
    }

    /// <summary>The pool's copy of <paramref name="name"/> if it has one, else <paramref name="name"/> (which it does not take).</summary>
    public static string Pooled(string name) => Volatile.Read(ref s_names).TryGetValue(name, out var shared) ? shared : name;

    /// <inheritdoc cref="Share(string)"/>
    public static string? ShareOrNull(string? name) => name is null ? null : Share(name);

    /// <summary><paramref name="identity"/> with its shared names from the pool (not its pod's own name or uid).</summary>
    public static PodIdentity Shared(PodIdentity identity) => identity with
    {
        Namespace = Share(identity.Namespace),
        Node = ShareOrNull(identity.Node),
        OwnerKind = ShareOrNull(identity.OwnerKind),
        OwnerName = ShareOrNull(identity.OwnerName),
        Deployment = ShareOrNull(identity.Deployment),
    };
}

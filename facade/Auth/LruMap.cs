namespace KubeMonitor.Facade.Auth;

/// <summary>
/// A map of at most <c>capacity</c> entries, each with its own expiry. When full, the least
/// recently used entry makes room for a new one, so a burst of strangers costs the oldest
/// acquaintance, never all of them. Not thread-safe: the owner locks around every call.
/// </summary>
/// <remarks>
/// Hand-written because the libraries at hand do not fit: MemoryCache refuses a new entry when
/// its size limit is reached and compacts in bulk later; BitFaster's LRUs and the ASP.NET Core
/// rate limiters read their own clock, where ours is the injected <see cref="TimeProvider"/>.
/// </remarks>
internal sealed class LruMap<TKey, TValue>(int capacity) where TKey : notnull
{
    private readonly Dictionary<TKey, LinkedListNode<Entry>> index = new();

    // Most recently used first.
    private readonly LinkedList<Entry> recency = new();

    public int Count => index.Count;

    /// <summary>The live value of <paramref name="key"/>, which becomes the most recently used; an expired entry is dropped.</summary>
    public bool TryGet(TKey key, DateTimeOffset now, out TValue value)
    {
        value = default!;
        if (!index.TryGetValue(key, out var node)) return false;
        if (node.Value.Expiry <= now)
        {
            Remove(node);
            return false;
        }
        recency.Remove(node);
        recency.AddFirst(node);
        value = node.Value.Value;
        return true;
    }

    /// <summary>Adds or replaces the entry; when the map is full, the least recently used entry goes first.</summary>
    public void Set(TKey key, TValue value, DateTimeOffset expiry)
    {
        if (capacity <= 0) return;
        if (index.TryGetValue(key, out var existing)) Remove(existing);
        else if (index.Count >= capacity) Remove(recency.Last!);
        index[key] = recency.AddFirst(new Entry(key, value, expiry));
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        recency.Remove(node);
        index.Remove(node.Value.Key);
    }

    private sealed record Entry(TKey Key, TValue Value, DateTimeOffset Expiry);
}

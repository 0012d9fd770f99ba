namespace KubeMonitor.Facade.Queries;

/// <summary>
/// The first <c>count</c> items of a stream in a <see cref="PodOrder"/> that come after a position,
/// holding no more than <c>count</c> at a time: a heap whose top is the last one kept, so a page of
/// a sorted list of 150,000 pods costs one pass and a page's memory.
/// </summary>
internal sealed class TopPods<T>
{
    private readonly PodOrder _order;
    private readonly PodPosition? _after;
    private readonly int _count;
    private readonly PriorityQueue<T, PodPosition> _kept;

    public TopPods(PodOrder order, PodPosition? after, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        (_order, _after, _count) = (order, after, count);
        // Reversed, so that the top is the one to drop first.
        _kept = new PriorityQueue<T, PodPosition>(count + 1, Comparer<PodPosition>.Create((a, b) => order.Compare(b, a)));
    }

    /// <summary>Whether an item at <paramref name="position"/> would be kept; ask before making it.</summary>
    public bool Wants(in PodPosition position)
    {
        if (_after is { } after && _order.Compare(position, after) <= 0) return false;
        return _kept.Count < _count || (_kept.TryPeek(out _, out var last) && _order.Compare(position, last) < 0);
    }

    /// <summary>Keeps an item that <see cref="Wants"/> accepted, dropping the last one kept when full.</summary>
    public void Add(in PodPosition position, T item)
    {
        if (_kept.Count < _count) _kept.Enqueue(item, position);
        else _kept.EnqueueDequeue(item, position);
    }

    /// <summary>The items kept, first first; the heap is emptied.</summary>
    public List<T> TakeInOrder()
    {
        var items = new List<T>(_kept.Count);
        while (_kept.TryDequeue(out var item, out _)) items.Add(item);
        items.Reverse();
        return items;
    }
}

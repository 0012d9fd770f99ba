namespace KubeMonitor.Facade.Storage;

internal sealed class NodeEntity(string name, long createdMs) : Entity(EntitySeries.Staggered(NodeFields.Table), createdMs)
{
    // The newest stored sample's labels; replaced (not changed) when a sample says otherwise.
    private LabelSet? _labels;

    public string Name { get; } = name;

    public AppendResult Append(NodeEntry entry, long oldestKeptMs)
    {
        lock (Gate)
        {
            var result = Series.Append(entry.TimestampMs, entry.Values);
            if (result == AppendResult.Stored && !Equals(_labels, entry.Labels)) _labels = entry.Labels;
            Series.DropBefore(oldestKeptMs);
            return result;
        }
    }

    /// <summary>Drops expired samples; true when the node looks stale (to be confirmed under the structure lock).</summary>
    public bool Trim(long oldestKeptMs, long freshSinceMs)
    {
        lock (Gate)
        {
            Series.DropBefore(oldestKeptMs);
            return NewestMs < freshSinceMs;
        }
    }

    public bool TryRetire(long freshSinceMs)
    {
        lock (Gate)
        {
            if (Volatile.Read(ref PendingWrites) > 0 || NewestMs >= freshSinceMs) return false;
            Retired = true;
            return true;
        }
    }

    /// <summary>The node as a checkpoint keeps it.</summary>
    /// <param name="archive">Where closed chunks not stored yet are stored (<see cref="EntitySeries.Image"/>).</param>
    public NodeImage Image(IChunkArchive? archive = null)
    {
        lock (Gate) return new NodeImage(Name, _labels, Series.Image(archive));
    }

    /// <summary>A node made again from a checkpoint.</summary>
    public static NodeEntity FromImage(NodeImage image, long nowMs)
    {
        var node = new NodeEntity(image.Name, nowMs) { _labels = image.Labels };
        node.Series.Restore(image.Series);
        return node;
    }

    public NodeLatest? Latest(long freshSinceMs, long rateSpanMs = LatestRows.PreviousRow)
    {
        lock (Gate) return IsLive(freshSinceMs) ? new NodeLatest(Name, LatestOf(Series, RowView.First(NodeFields.Count), rateSpanMs), _labels) : null;
    }

    /// <summary>The rows in [fromMs, toMs] and the one before, if the node is live.</summary>
    public RawRows? Rows(long freshSinceMs, long fromMs, long toMs)
    {
        lock (Gate) return IsLive(freshSinceMs) ? ReadRows(Series, RowView.First(NodeFields.Count), fromMs, toMs) : null;
    }
}

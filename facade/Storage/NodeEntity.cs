using KubeMonitor.Facade.Queries;
using static KubeMonitor.Facade.Storage.SampleMath;

namespace KubeMonitor.Facade.Storage;

internal sealed class NodeEntity(string name, long createdMs) : Entity(NodeFields.Count, createdMs)
{
    public string Name { get; } = name;

    public AppendResult Append(NodeEntry entry, long oldestKeptMs)
    {
        lock (Gate)
        {
            var result = Series.Append(entry.TimestampMs, entry.Values);
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

    public NodeView? Latest(long freshSinceMs)
    {
        lock (Gate)
        {
            if (LatestPair(freshSinceMs) is not { } pair) return null;
            var (previous, current) = pair;
            var (cpu, memory, disk, network) = SampleMath.Node(previous, current);
            return new NodeView(Name, ToUtc(current.TimestampMs), cpu, memory, disk, network);
        }
    }

    public List<NodePoint>? Points(long freshSinceMs, long fromMs, long toMs)
    {
        List<SampleMath.Row> rows;
        lock (Gate)
        {
            if (Retired || Series.LastTimestamp is not { } last || last < freshSinceMs) return null;
            rows = ReadRows(Series, fromMs, toMs);
        }
        var points = new List<NodePoint>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].TimestampMs < fromMs) continue;
            var (cpu, memory, disk, network) = SampleMath.Node(i > 0 ? rows[i - 1] : null, rows[i]);
            points.Add(new NodePoint(ToUtc(rows[i].TimestampMs), cpu, memory, disk, network));
        }
        return points;
    }
}

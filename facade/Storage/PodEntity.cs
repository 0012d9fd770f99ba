using KubeMonitor.Facade.Samples;
using KubeMonitor.Facade.Deployments;
using KubeMonitor.Facade.Queries;
using static KubeMonitor.Facade.Storage.SampleMath;

namespace KubeMonitor.Facade.Storage;

internal sealed class PodEntity(PodKey key, long createdMs) : Entity(PodFields.Count, createdMs), IChargedPod
{
    /// <summary>The node whose quota this pod's series count against; changed only under the structure lock.</summary>
    public string ChargedNode { get; set; } = NodeSeriesLedger.NoNode;

    public int ContainerCount
    {
        get { lock (Gate) return _containers.Count; }
    }

    /// <summary>Whether a sample at <paramref name="timestampMs"/> would be the newest (so its node is the pod's node from now on).</summary>
    public bool IsNewerThanStored(long timestampMs)
    {
        lock (Gate) return Series.LastTimestamp is not { } last || timestampMs > last;
    }

    // Mutated only under both the structure lock and Gate; read under Gate.
    private readonly Dictionary<string, ContainerSeries> _containers = new(StringComparer.Ordinal);
    private string? _node, _uid, _ownerKind, _ownerName, _deployment;

    public PodKey Key { get; } = key;

    public bool HasContainer(string name)
    {
        lock (Gate) return _containers.ContainsKey(name);
    }

    public void EnsureContainer(string name, long nowMs)
    {
        lock (Gate)
        {
            if (!_containers.ContainsKey(name)) _containers[name] = new ContainerSeries(nowMs);
        }
    }

    public AppendResult Append(PodEntry entry, long oldestKeptMs)
    {
        lock (Gate)
        {
            var result = Series.Append(entry.TimestampMs, entry.Values);
            if (result == AppendResult.Stored)
            {
                (_node, _uid, _ownerKind, _ownerName, _deployment) = (entry.Node, entry.Uid, entry.OwnerKind, entry.OwnerName, entry.Deployment);
            }
            Series.DropBefore(oldestKeptMs);
            foreach (var container in entry.Containers)
            {
                // Past the series cap a new container may have been refused.
                if (!_containers.TryGetValue(container.Name, out var series)) continue;
                series.Samples.Append(entry.TimestampMs, container.Values);
                series.Samples.DropBefore(oldestKeptMs);
            }
            return result;
        }
    }

    /// <summary>Drops expired samples; true when the pod or one of its containers looks stale.</summary>
    public bool Trim(long oldestKeptMs, long freshSinceMs)
    {
        lock (Gate)
        {
            Series.DropBefore(oldestKeptMs);
            var anyStale = NewestMs < freshSinceMs;
            foreach (var container in _containers.Values)
            {
                container.Samples.DropBefore(oldestKeptMs);
                anyStale |= container.NewestMs < freshSinceMs;
            }
            return anyStale;
        }
    }

    /// <summary>Removes stale containers (returns how many) and says whether the whole pod is stale.</summary>
    public int RetireStale(long freshSinceMs, out bool podRetired)
    {
        lock (Gate)
        {
            podRetired = false;
            if (Volatile.Read(ref PendingWrites) > 0) return 0;
            var staleContainers = _containers.Where(c => c.Value.NewestMs < freshSinceMs).Select(c => c.Key).ToList();
            foreach (var name in staleContainers) _containers.Remove(name);
            if (NewestMs < freshSinceMs)
            {
                Retired = true;
                podRetired = true;
            }
            return staleContainers.Count;
        }
    }

    public override long BytesHeld()
    {
        lock (Gate) return Series.BytesHeld + _containers.Values.Sum(c => c.Samples.BytesHeld);
    }

    /// <summary>
    /// When the pod is live and matches the query's node and deployment, copies its raw rows in
    /// [fromMs, toMs] (and the one before) under the lock and returns true.
    /// </summary>
    public bool ReadIfMatching(
        PodQuery query, long freshSinceMs, long fromMs, long toMs, DeploymentResolver deployments, List<long> timestamps, List<double> values)
    {
        lock (Gate)
        {
            if (Retired || Series.LastTimestamp is not { } last || last < freshSinceMs) return false;
            if (query.Node is not null && _node != query.Node) return false;
            if (query.Deployment is not null && deployments.Resolve(Key.Namespace, _deployment, _ownerKind, _ownerName) != query.Deployment) return false;
            Series.Read(fromMs, toMs, includePrevious: true, timestamps, values);
            return true;
        }
    }

    public PodView? Latest(long freshSinceMs, DeploymentResolver deployments)
    {
        lock (Gate)
        {
            if (LatestPair(freshSinceMs) is not { } pair) return null;
            var (previous, current) = pair;
            return View(previous, current, deployments);
        }
    }

    public PodHistory? History(long freshSinceMs, long fromMs, long toMs, DeploymentResolver deployments)
    {
        lock (Gate)
        {
            if (LatestPair(freshSinceMs) is not { } pair) return null;
            var (previous, current) = pair;
            var latest = View(previous, current, deployments);
            var rows = ReadRows(Series, fromMs, toMs);
            var containers = ReadContainers(fromMs, toMs);
            var points = new List<PodPoint>(rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                if (rows[i].TimestampMs < fromMs) continue;
                var (cpu, memory, disk, network) = SampleMath.Pod(i > 0 ? rows[i - 1] : null, rows[i]);
                points.Add(new PodPoint(ToUtc(rows[i].TimestampMs), cpu, memory, disk, network, ContainersAt(containers, rows[i].TimestampMs)));
            }
            return new PodHistory(latest, points);
        }
    }

    private PodView View(SampleMath.Row? previous, SampleMath.Row current, DeploymentResolver deployments)
    {
        var (cpu, memory, disk, network) = SampleMath.Pod(previous, current);
        return new PodView(
            Key.Name, Key.Namespace, _node, _uid, deployments.Resolve(Key.Namespace, _deployment, _ownerKind, _ownerName),
            ToUtc(current.TimestampMs), cpu, memory, disk, network, LatestContainers(current.TimestampMs));
    }

    /// <summary>The containers that were in the pod's newest sample (at <paramref name="timestampMs"/>), by name, from their latest rows.</summary>
    private List<ContainerView> LatestContainers(long timestampMs)
    {
        var views = new List<ContainerView>(_containers.Count);
        foreach (var (name, container) in _containers)
        {
            // A container missing from the newest sample has older rows only.
            if (container.Samples.LastTimestamp != timestampMs) continue;
            var (previous, current) = LatestRows(container.Samples);
            views.Add(SampleMath.Container(name, previous, current));
        }
        views.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return views;
    }

    /// <summary>Each container's rows in [fromMs, toMs] (and the one before), ordered by container name.</summary>
    private List<ContainerRows> ReadContainers(long fromMs, long toMs) =>
        _containers.OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new ContainerRows(c.Key, ReadRows(c.Value.Samples, fromMs, toMs)))
            .ToList();

    /// <summary>
    /// The containers that were in the pod's sample at <paramref name="timestampMs"/>. Called
    /// with rising timestamps, so each container's cursor only moves forward.
    /// </summary>
    private static List<ContainerView> ContainersAt(List<ContainerRows> containers, long timestampMs)
    {
        var views = new List<ContainerView>(containers.Count);
        foreach (var container in containers)
        {
            var rows = container.Rows;
            while (container.Cursor < rows.Count && rows[container.Cursor].TimestampMs < timestampMs) container.Cursor++;
            if (container.Cursor < rows.Count && rows[container.Cursor].TimestampMs == timestampMs)
            {
                var index = container.Cursor;
                views.Add(SampleMath.Container(container.Name, index > 0 ? rows[index - 1] : null, rows[index]));
            }
        }
        return views;
    }

    private sealed class ContainerRows(string name, List<SampleMath.Row> rows)
    {
        public string Name { get; } = name;
        public List<SampleMath.Row> Rows { get; } = rows;
        public int Cursor { get; set; }
    }
}

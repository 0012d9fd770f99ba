namespace KubeMonitor.Facade.Storage;

internal sealed class PodEntity(PodKey key, long createdMs) : Entity(PodFields.Table, createdMs), IChargedPod
{
    /// <summary>The node whose quota this pod's series count against; changed only under the structure lock.</summary>
    public string ChargedNode { get; set; } = NodeSeriesLedger.NoNode;

    public int ContainerCount
    {
        get { lock (Gate) return _containers.Length; }
    }

    /// <summary>Whether a sample at <paramref name="timestampMs"/> would be the newest (so its node is the pod's node from now on).</summary>
    public bool IsNewerThanStored(long timestampMs)
    {
        lock (Gate) return Series.LastTimestamp is not { } last || timestampMs > last;
    }

    // Replaced only under both the structure lock and Gate; read under Gate. An array searched in
    // order: a pod has one or a few containers, and a dictionary cost about 190 B a pod more
    // (docs/benchmarks.md). A node's series quota bounds how many there can be.
    private ContainerSeries[] _containers = [];
    // What the newest stored sample said of the pod; replaced (not changed) when a sample says otherwise.
    private PodIdentity _identity = new(key.Namespace, key.Name, null, null, null, null, null);

    public PodKey Key { get; } = key;

    public bool HasContainer(string name)
    {
        lock (Gate) return Find(name) is not null;
    }

    public void EnsureContainer(string name, long nowMs)
    {
        lock (Gate)
        {
            if (Find(name) is null) _containers = [.. _containers, new ContainerSeries(NamePool.Share(name), nowMs)];
        }
    }

    public AppendResult Append(PodEntry entry, long oldestKeptMs)
    {
        lock (Gate)
        {
            var result = Series.Append(entry.TimestampMs, entry.Values);
            if (result == AppendResult.Stored)
            {
                if (_identity.Node != entry.Node || _identity.Uid != entry.Uid || _identity.OwnerKind != entry.OwnerKind
                    || _identity.OwnerName != entry.OwnerName || _identity.Deployment != entry.Deployment || !Equals(_identity.Labels, entry.Labels))
                {
                    _identity = NamePool.Shared(new PodIdentity(Key.Namespace, Key.Name, entry.Node, entry.Uid, entry.OwnerKind, entry.OwnerName, entry.Deployment, entry.Labels));
                }
            }
            Series.DropBefore(oldestKeptMs);
            foreach (var container in entry.Containers)
            {
                // Past the series cap a new container may have been refused.
                if (Find(container.Name) is not { } series) continue;
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
            foreach (var container in _containers)
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
            var kept = Array.FindAll(_containers, c => c.NewestMs >= freshSinceMs);
            var retired = _containers.Length - kept.Length;
            if (retired > 0) _containers = kept;
            if (NewestMs < freshSinceMs)
            {
                Retired = true;
                podRetired = true;
            }
            return retired;
        }
    }

    public override long BytesHeld()
    {
        lock (Gate) return Series.BytesHeld + _containers.Sum(c => c.Samples.BytesHeld);
    }

    /// <summary>
    /// When the pod is live and accepted by <paramref name="keep"/>, copies its raw rows in
    /// [fromMs, toMs] (and the one before) under the lock and returns true.
    /// </summary>
    public bool ReadIfMatching(Func<PodIdentity, bool> keep, long freshSinceMs, long fromMs, long toMs, List<long> timestamps, List<double> values)
    {
        lock (Gate)
        {
            if (!IsLive(freshSinceMs) || !keep(_identity)) return false;
            Series.Read(fromMs, toMs, includePrevious: true, timestamps, values);
            return true;
        }
    }

    /// <summary>The pod and its containers as a checkpoint keeps them.</summary>
    /// <param name="archive">Where closed chunks not stored yet are stored (<see cref="EntitySeries.Image"/>).</param>
    public PodImage Image(IChunkArchive? archive = null)
    {
        lock (Gate)
        {
            return new PodImage(_identity, Series.Image(archive), [.. _containers.Select(c => new ContainerImage(c.Name, c.Samples.Image(archive)))]);
        }
    }

    /// <summary>A pod made again from a checkpoint, charged to the node its newest sample named.</summary>
    public static PodEntity FromImage(PodImage image, long nowMs)
    {
        var identity = NamePool.Shared(image.Identity);
        var pod = new PodEntity(identity.Key, nowMs) { ChargedNode = NodeSeriesLedger.Payer(identity.Node), _identity = identity };
        pod.Series.Restore(image.Series);
        var containers = new List<ContainerSeries>(image.Containers.Count);
        foreach (var container in image.Containers)
        {
            var series = new ContainerSeries(NamePool.Share(container.Name), nowMs);
            series.Samples.Restore(container.Series);
            containers.RemoveAll(c => c.Name == container.Name); // a name given twice: the last one, as before
            containers.Add(series);
        }
        pod._containers = [.. containers];
        return pod;
    }

    public PodLatest? Latest(long freshSinceMs, long rateSpanMs = LatestRows.PreviousRow)
    {
        lock (Gate) return IsLive(freshSinceMs) ? LatestUnderLock(rateSpanMs) : null;
    }

    /// <summary>
    /// As <see cref="Latest"/> when <paramref name="keep"/> accepts the pod's identity, else null
    /// before any row is decoded: a label selector that picks 100 pods of 10,000 decodes 100.
    /// </summary>
    public PodLatest? LatestIfMatching(Func<PodIdentity, bool> keep, long freshSinceMs, long rateSpanMs)
    {
        lock (Gate) return IsLive(freshSinceMs) && keep(_identity) ? LatestUnderLock(rateSpanMs) : null;
    }

    /// <summary>The pod's rows and its containers' in [fromMs, toMs] (and the one before each), if the pod is live.</summary>
    public PodRows? Rows(long freshSinceMs, long fromMs, long toMs)
    {
        lock (Gate)
        {
            if (!IsLive(freshSinceMs)) return null;
            var containers = _containers.OrderBy(c => c.Name, StringComparer.Ordinal)
                .Select(c => new ContainerRows(c.Name, ReadRows(c.Samples, fromMs, toMs)))
                .ToList();
            return new PodRows(LatestUnderLock(), ReadRows(Series, fromMs, toMs), containers);
        }
    }

    private PodLatest LatestUnderLock(long rateSpanMs = LatestRows.PreviousRow)
    {
        var rows = LatestOf(Series, rateSpanMs);
        var containers = new List<ContainerLatest>(_containers.Length);
        foreach (var container in _containers)
        {
            // A container missing from the newest sample has older rows only.
            if (container.Samples.LastTimestamp == rows.TimestampMs) containers.Add(new ContainerLatest(container.Name, LatestOf(container.Samples, rateSpanMs)));
        }
        containers.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new PodLatest(_identity, rows, containers);
    }

    private ContainerSeries? Find(string name)
    {
        foreach (var container in _containers)
        {
            if (container.Name == name) return container;
        }
        return null;
    }
}

using System.Runtime.InteropServices;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// A pod and its containers in one series (<see cref="PodRowLayout"/>): the pod's columns, then a
/// place of columns for each container. A new container takes a free place (one whose container
/// went stale) or new ones. New places widen the rows, and the pod's window is stored again, wider
/// (rare: a pod's containers start with it, and a restarted one keeps its name). The rows grow by
/// half their places at a time (one at a time up to 4), so that a pod whose containers keep coming
/// (up to its node's series quota) is stored again a few times, not once for each; a free place's
/// columns are absent in every row, which costs nothing (the steady-columns bit).
/// </summary>
internal sealed class PodEntity(PodKey key, long createdMs) : Entity(PodRowLayout.Series(0), createdMs), IChargedPod
{
    /// <summary>The node whose quota this pod's series count against; changed only under the structure lock.</summary>
    public string ChargedNode { get; set; } = NodeSeriesLedger.NoNode;

    public int ContainerCount
    {
        get
        {
            lock (Gate)
            {
                var count = 0;
                foreach (var place in _places) count += place.Name is null ? 0 : 1;
                return count;
            }
        }
    }

    /// <summary>Whether a sample at <paramref name="timestampMs"/> would be the newest (so its node is the pod's node from now on).</summary>
    public bool IsNewerThanStored(long timestampMs)
    {
        lock (Gate) return Series.LastTimestamp is not { } last || timestampMs > last;
    }

    // Who holds each container place of the rows (one per place). A container gets a place under
    // both the structure lock and Gate; read under Gate. Searched in order: a pod has one or a few
    // containers. A node's series quota bounds how many there can be.
    private Place[] _places = [];
    // What the newest stored sample said of the pod; replaced (not changed) when a sample says otherwise.
    private PodIdentity _identity = new(key.Namespace, key.Name, null, null, null, null, null);

    public PodKey Key { get; } = key;

    public bool HasContainer(string name)
    {
        lock (Gate) return Find(name) >= 0;
    }

    public void EnsureContainer(string name, long nowMs)
    {
        lock (Gate)
        {
            if (Find(name) >= 0) return;
            var place = Array.FindIndex(_places, static p => p.Name is null);
            if (place < 0)
            {
                place = _places.Length;
                Widen();
            }
            // The place's older rows (of a container gone stale) are not this one's.
            var sinceMs = Series.LastTimestamp is { } last ? last + 1 : long.MinValue;
            _places[place] = new Place(NamePool.Share(name), sinceMs, nowMs, Place.NoRow);
        }
    }

    /// <summary>More container places (one, or half as many as there are): the pod's rows so far are stored again, wider.</summary>
    private void Widen()
    {
        var places = _places.Length + Math.Max(1, _places.Length / 2);
        var wider = PodRowLayout.Series(places);
        if (Series.Count > 0)
        {
            var timestamps = new List<long>(Series.Count);
            var values = new List<double>(Series.Count * Series.FieldCount);
            Series.Read(long.MinValue, long.MaxValue, includePrevious: false, timestamps, values);
            var width = Series.FieldCount;
            var row = new double[wider.FieldCount];
            for (var i = 0; i < timestamps.Count; i++)
            {
                Array.Fill(row, double.NaN);
                values.CopyTo(i * width, row, 0, width);
                wider.Append(timestamps[i], row);
            }
        }
        Series = wider;
        var grown = new Place[places];
        _places.CopyTo(grown, 0);
        for (var i = _places.Length; i < places; i++) grown[i] = new Place(null, long.MinValue, 0, Place.NoRow);
        _places = grown;
    }

    public AppendResult Append(PodEntry entry, long oldestKeptMs)
    {
        lock (Gate)
        {
            var width = Series.FieldCount;
            Span<double> row = width <= EntitySeries.MaxStackColumns ? stackalloc double[width] : new double[width];
            row.Fill(double.NaN);
            entry.Values.CopyTo(row);
            foreach (var container in entry.Containers)
            {
                // Past the series cap a new container may have been refused.
                var place = Find(container.Name);
                if (place < 0) continue;
                var presence = PodRowLayout.PresenceColumn(place);
                if (!double.IsNaN(row[presence])) continue; // a name given twice: the first, as before
                row[presence] = 1;
                container.Values.CopyTo(row.Slice(presence + 1, ContainerFields.Count));
            }
            var result = Series.Append(entry.TimestampMs, row);
            if (result == AppendResult.Stored)
            {
                if (_identity.Node != entry.Node || _identity.Uid != entry.Uid || _identity.OwnerKind != entry.OwnerKind
                    || _identity.OwnerName != entry.OwnerName || _identity.Deployment != entry.Deployment || !Equals(_identity.Labels, entry.Labels))
                {
                    _identity = NamePool.Shared(new PodIdentity(Key.Namespace, Key.Name, entry.Node, entry.Uid, entry.OwnerKind, entry.OwnerName, entry.Deployment, entry.Labels));
                }
                for (var place = 0; place < _places.Length; place++)
                {
                    if (!double.IsNaN(row[PodRowLayout.PresenceColumn(place)])) _places[place].NewestRowMs = entry.TimestampMs;
                }
            }
            Series.DropBefore(oldestKeptMs);
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
            foreach (var place in _places) anyStale |= place.Name is not null && place.NewestMs < freshSinceMs;
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
            var retired = 0;
            for (var place = 0; place < _places.Length; place++)
            {
                if (_places[place].Name is null || _places[place].NewestMs >= freshSinceMs) continue;
                // The place is free for the next container; its rows stay until they expire, hidden from it.
                _places[place].Name = null;
                retired++;
            }
            if (NewestMs < freshSinceMs)
            {
                Retired = true;
                podRetired = true;
            }
            return retired;
        }
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
            Series.Read(fromMs, toMs, includePrevious: true, timestamps, values, PodRowLayout.Pod);
            return true;
        }
    }

    /// <summary>The pod and its containers as a checkpoint keeps them.</summary>
    /// <param name="archive">Where closed chunks not stored yet are stored (<see cref="EntitySeries.Image"/>).</param>
    public PodImage Image(IChunkArchive? archive = null)
    {
        lock (Gate)
        {
            var places = new ContainerPlace[_places.Length];
            for (var i = 0; i < places.Length; i++)
            {
                var place = _places[i];
                places[i] = new ContainerPlace(place.Name, place.SinceMs, place.NewestRowMs == Place.NoRow ? null : place.NewestRowMs);
            }
            return new PodImage(_identity, Series.Image(archive), places);
        }
    }

    /// <summary>A pod made again from a checkpoint, charged to the node its newest sample named.</summary>
    public static PodEntity FromImage(PodImage image, long nowMs)
    {
        var identity = NamePool.Shared(image.Identity);
        var pod = new PodEntity(identity.Key, nowMs) { ChargedNode = NodeSeriesLedger.Payer(identity.Node), _identity = identity };
        if (image.Places.Count > 0) pod.Series = PodRowLayout.Series(image.Places.Count);
        pod.Series.Restore(image.Series);
        var places = new Place[image.Places.Count];
        for (var i = 0; i < places.Length; i++)
        {
            var (name, sinceMs, newestMs) = image.Places[i];
            if (name is not null)
            {
                name = NamePool.Share(name);
                // A name given twice: the last one holds it, as before.
                var earlier = Array.FindIndex(places, 0, i, p => p.Name == name);
                if (earlier >= 0) places[earlier].Name = null;
            }
            places[i] = new Place(name, sinceMs, nowMs, newestMs ?? Place.NoRow);
        }
        pod._places = places;
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
            // The window's rows are decoded once, whole, and the pod and each container take theirs from them.
            var timestamps = new List<long>();
            var values = new List<double>();
            Series.Read(fromMs, toMs, includePrevious: true, timestamps, values);
            var containers = new List<ContainerRows>(_places.Length);
            for (var i = 0; i < _places.Length; i++)
            {
                if (_places[i].Name is not { } name) continue;
                var view = PodRowLayout.Container(i, _places[i].SinceMs);
                containers.Add(new ContainerRows(name, Shown(timestamps, values, fromMs, view) ?? ReadRows(Series, view, fromMs, toMs)));
            }
            containers.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            return new PodRows(LatestUnderLock(), Shown(timestamps, values, fromMs, PodRowLayout.Pod)!, containers);
        }
    }

    /// <summary>
    /// The rows <paramref name="view"/> shows of a window's whole rows (the one before the window
    /// first, if any), or null when it does not show the row before the window: its own row before
    /// is further back, and only a read of its own finds it.
    /// </summary>
    private RawRows? Shown(List<long> timestamps, List<double> values, long fromMs, in RowView view)
    {
        var width = Series.FieldCount;
        var rows = CollectionsMarshal.AsSpan(values);
        var shownTimes = new List<long>(timestamps.Count);
        var shownValues = new List<double>(timestamps.Count * view.ColumnCount);
        for (var i = 0; i < timestamps.Count; i++)
        {
            var row = rows.Slice(i * width, width);
            if (!view.Shows(timestamps[i], row))
            {
                if (timestamps[i] < fromMs) return null;
                continue;
            }
            shownTimes.Add(timestamps[i]);
            shownValues.AddRange(view.Of(row));
        }
        return new RawRows([.. shownTimes], [.. shownValues], view.ColumnCount);
    }

    private PodLatest LatestUnderLock(long rateSpanMs = LatestRows.PreviousRow)
    {
        // The newest rows are copied once, whole, for the pod and each container.
        var newest = NewestRows.Of(Series);
        var rows = LatestOf(Series, PodRowLayout.Pod, rateSpanMs, newest);
        var containers = new List<ContainerLatest>(_places.Length);
        for (var i = 0; i < _places.Length; i++)
        {
            // A container missing from the newest sample has older rows only.
            if (_places[i] is { Name: { } name } place && place.NewestRowMs == rows.TimestampMs)
            {
                containers.Add(new ContainerLatest(name, LatestOf(Series, PodRowLayout.Container(i, place.SinceMs), rateSpanMs, newest)));
            }
        }
        containers.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new PodLatest(_identity, rows, containers);
    }

    private int Find(string name)
    {
        for (var i = 0; i < _places.Length; i++)
        {
            if (_places[i].Name == name) return i;
        }
        return -1;
    }

    /// <summary>Who holds a container place: see <see cref="ContainerPlace"/>; made is when the container was first seen.</summary>
    private record struct Place(string? Name, long SinceMs, long MadeMs, long NewestRowMs)
    {
        public const long NoRow = long.MinValue;

        /// <summary>Its newest row's time, or (before its first) when it was first seen: what staleness is judged by.</summary>
        public readonly long NewestMs => NewestRowMs == NoRow ? MadeMs : NewestRowMs;
    }
}

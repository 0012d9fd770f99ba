using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using KubeMonitor.Facade.Deployments;
using KubeMonitor.Facade.Queries;
using Microsoft.Extensions.Options;
using static KubeMonitor.Facade.Storage.SampleMath;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// The embedded store: one <see cref="EntitySeries"/> per node, pod and container, holding the
/// raw samples of the retention window. Each entity has its own lock (a reader never sees half a
/// write); creating and removing entities takes one structure lock, so that the series cap holds
/// exactly and a request past it stores nothing.
/// </summary>
internal sealed class InMemoryMetricsStore(IOptions<FacadeOptions> options, TimeProvider clock, DeploymentResolver deployments) : IMetricsStore
{
    /// <summary>Rollups over at least this many pods are summed in parallel parts.</summary>
    internal const int ParallelRollupPods = 2048;

    private readonly FacadeOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, NodeEntity> _nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<PodKey, PodEntity> _pods = new();
    // Pod name -> its pods by namespace (changed under the structure lock): GET /api/pods/{pod}
    // without ?namespace= must not scan every pod, and a name that many namespaces share costs
    // O(1) per insert, not a copy of their list.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, PodEntity>> _podsByName = new(StringComparer.Ordinal);
    private readonly Lock _structure = new();
    private long _seriesCount;
    // Series charged to each node (its own, its pods' and their containers'), under the
    // structure lock: one node over its quota cannot take the room of the others.
    private readonly NodeSeriesLedger _ledger = new(options.Value.MaxSeriesPerNode);
    // Pods sorted by (namespace, name), rebuilt on the first read after the set of pods changed:
    // lists come out in order without sorting views, a namespace is a range, a page a binary search.
    private long _podSetVersion;
    private PodIndex? _podIndex;

    public long SeriesCount => Interlocked.Read(ref _seriesCount);

    public StoreOutcome Store(IngestBatch batch)
    {
        var nowMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var oldestKeptMs = nowMs - (long)_options.Retention.TotalMilliseconds;
        var tooOld = 0;
        var node = batch.Node;
        if (node is not null && node.TimestampMs < oldestKeptMs) { node = null; tooOld++; }
        var pods = new List<PodEntry>(batch.Pods.Count);
        foreach (var pod in batch.Pods)
        {
            if (pod.TimestampMs < oldestKeptMs) tooOld++;
            else pods.Add(pod);
        }

        var reservation = Reserve(node, pods, nowMs);
        if (reservation.Refusal is { } refusal) return refusal;

        int stored = 0, duplicates = 0, outOfOrder = 0;
        void Count(AppendResult result)
        {
            if (result == AppendResult.Stored) stored++;
            else if (result == AppendResult.Duplicate) duplicates++;
            else outOfOrder++;
        }
        var nodeEntity = reservation.Node;
        var podEntities = reservation.PodEntities;
        try
        {
            if (nodeEntity is not null) Count(nodeEntity.Append(reservation.NodeEntry!, oldestKeptMs));
            for (var i = 0; i < podEntities.Count; i++) Count(podEntities[i].Append(reservation.PodEntries[i], oldestKeptMs));
        }
        finally
        {
            if (nodeEntity is not null) Interlocked.Decrement(ref nodeEntity.PendingWrites);
            foreach (var entity in podEntities) Interlocked.Decrement(ref entity.PendingWrites);
        }
        return new StoreOutcome(stored, duplicates, outOfOrder, tooOld, reservation.SeriesRefused);
    }

    /// <summary>The entities a batch writes to, the entries that go to them, or why nothing is stored.</summary>
    private sealed record Reservation(
        StoreOutcome? Refusal, NodeEntity? Node, NodeEntry? NodeEntry, List<PodEntity> PodEntities, List<PodEntry> PodEntries, int SeriesRefused);

    /// <summary>
    /// Finds or creates every entity the batch writes to, under the structure lock, so that the
    /// quotas hold exactly. A node that would pass its own quota gets nothing stored. Past the
    /// global cap, series that exist keep being stored and only new ones are refused, so a full
    /// store still follows every pod it holds. Entities handed out are marked as being written,
    /// so the sweep leaves them alone.
    /// </summary>
    private Reservation Reserve(NodeEntry? node, List<PodEntry> pods, long nowMs)
    {
        lock (_structure)
        {
            var plan = new NodeSeriesLedger.Plan(_ledger);
            var nodeIsNew = node is not null && !_nodes.ContainsKey(node.Name);
            if (nodeIsNew) plan.AddNew(node!.Name, 1);
            var newPods = new HashSet<PodKey>();
            var newContainers = new HashSet<(PodKey, string)>();
            foreach (var pod in pods)
            {
                var key = new PodKey(pod.Namespace, pod.Name);
                var payer = NodeSeriesLedger.Payer(pod.Node);
                if (!_pods.TryGetValue(key, out var existing))
                {
                    if (newPods.Add(key)) plan.AddNew(payer, 1);
                    foreach (var container in pod.Containers)
                    {
                        if (newContainers.Add((key, container.Name))) plan.AddNew(payer, 1);
                    }
                    continue;
                }
                // A pod that moved to another node (a StatefulSet pod rescheduled) is charged to the new one.
                if (existing.ChargedNode != payer && existing.IsNewerThanStored(pod.TimestampMs)) plan.Move(existing, payer);
                foreach (var container in pod.Containers)
                {
                    if (!existing.HasContainer(container.Name) && newContainers.Add((key, container.Name))) plan.AddNew(plan.PayerOf(existing), 1);
                }
            }
            if (plan.NodeOverQuota() is { } full)
            {
                return Refused(new StoreOutcome(0, 0, 0, 0, Refusal: StoreRefusal.NodeQuota, RefusedNode: full));
            }

            var refused = 0;
            if (_seriesCount + plan.NewSeries > _options.MaxSeries)
            {
                // Keep what exists, refuse what is new.
                refused = plan.NewSeries;
                plan.ForgetNew();
                if (nodeIsNew) node = null;
                pods = [.. pods.Where(p => !newPods.Contains(new PodKey(p.Namespace, p.Name))).Select(p => WithoutNewContainers(p, newContainers))];
                if (node is null && pods.Count == 0)
                {
                    return Refused(new StoreOutcome(0, 0, 0, 0, Refusal: StoreRefusal.SeriesCap));
                }
            }

            NodeEntity? nodeEntity = null;
            if (node is not null)
            {
                nodeEntity = _nodes.GetOrAdd(node.Name, static (name, now) => new NodeEntity(name, now), nowMs);
                Interlocked.Increment(ref nodeEntity.PendingWrites);
            }
            var podEntities = new List<PodEntity>(pods.Count);
            foreach (var pod in pods)
            {
                var key = new PodKey(pod.Namespace, pod.Name);
                if (!_pods.TryGetValue(key, out var entity))
                {
                    entity = new PodEntity(key, nowMs) { ChargedNode = NodeSeriesLedger.Payer(pod.Node) };
                    _pods[key] = entity;
                    _podsByName.GetOrAdd(key.Name, static _ => new ConcurrentDictionary<string, PodEntity>(StringComparer.Ordinal))[key.Namespace] = entity;
                    Interlocked.Increment(ref _podSetVersion);
                }
                foreach (var container in pod.Containers) entity.EnsureContainer(container.Name, nowMs);
                Interlocked.Increment(ref entity.PendingWrites);
                podEntities.Add(entity);
            }
            // Moved pods change the ?node= index.
            _seriesCount += plan.NewSeries;
            if (plan.Apply() > 0) Interlocked.Increment(ref _podSetVersion);
            return new Reservation(null, nodeEntity, node, podEntities, pods, refused);
        }

        static Reservation Refused(StoreOutcome outcome) => new(outcome, null, null, [], [], 0);

        static PodEntry WithoutNewContainers(PodEntry pod, HashSet<(PodKey, string)> newContainers)
        {
            var key = new PodKey(pod.Namespace, pod.Name);
            return pod.Containers.Any(c => newContainers.Contains((key, c.Name)))
                ? pod with { Containers = [.. pod.Containers.Where(c => !newContainers.Contains((key, c.Name)))] }
                : pod;
        }
    }

    /// <summary>Drops samples past the retention and frees entities (and containers) that went stale.</summary>
    public void Sweep()
    {
        var nowMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var oldestKeptMs = nowMs - (long)_options.Retention.TotalMilliseconds;
        var freshSinceMs = nowMs - (long)_options.Staleness.TotalMilliseconds;
        // Trim under each entity's own lock first; take the structure lock only to remove.
        var staleNodes = _nodes.Values.Where(n => n.Trim(oldestKeptMs, freshSinceMs)).ToList();
        var podsToRemove = _pods.Values.Where(p => p.Trim(oldestKeptMs, freshSinceMs)).ToList();
        if (staleNodes.Count == 0 && podsToRemove.Count == 0) return;
        lock (_structure)
        {
            foreach (var node in staleNodes)
            {
                if (node.TryRetire(freshSinceMs) && _nodes.TryRemove(new KeyValuePair<string, NodeEntity>(node.Name, node)))
                {
                    _seriesCount--;
                    _ledger.Release(node.Name, 1);
                }
            }
            foreach (var pod in podsToRemove)
            {
                var containersRemoved = pod.RetireStale(freshSinceMs, out var podRetired);
                _seriesCount -= containersRemoved;
                _ledger.Release(pod.ChargedNode, containersRemoved);
                if (podRetired && _pods.TryRemove(new KeyValuePair<PodKey, PodEntity>(pod.Key, pod)))
                {
                    _seriesCount--;
                    _ledger.Release(pod.ChargedNode, 1);
                    Interlocked.Increment(ref _podSetVersion);
                    var namesakes = _podsByName[pod.Key.Name];
                    namesakes.TryRemove(pod.Key.Namespace, out _);
                    if (namesakes.IsEmpty) _podsByName.TryRemove(pod.Key.Name, out _);
                }
            }
        }
    }

    public long BytesHeld() => _nodes.Values.Sum(n => n.BytesHeld()) + _pods.Values.Sum(p => p.BytesHeld());

    public IReadOnlyList<NodeView> Nodes(long nowMs)
    {
        var freshSinceMs = nowMs - (long)_options.Staleness.TotalMilliseconds;
        return _nodes.Values.Select(n => n.Latest(freshSinceMs)).OfType<NodeView>().OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
    }

    public NodeView? Node(string name, long nowMs) =>
        _nodes.TryGetValue(name, out var node) ? node.Latest(nowMs - (long)_options.Staleness.TotalMilliseconds) : null;

    public IReadOnlyList<NodePoint>? NodePoints(string name, long fromMs, long nowMs) =>
        _nodes.TryGetValue(name, out var node) ? node.Points(nowMs - (long)_options.Staleness.TotalMilliseconds, fromMs, nowMs) : null;

    public IEnumerable<PodView> Pods(PodQuery query, long nowMs)
    {
        // Lazy: a list answer is written while it is read, so its memory does not grow with the list.
        var freshSinceMs = nowMs - (long)_options.Staleness.TotalMilliseconds;
        foreach (var pod in Matching(query))
        {
            if (pod.Latest(freshSinceMs, deployments) is { } view && Matches(query, view)) yield return view;
        }
    }

    public PodPage PodsPage(PodQuery query, long nowMs, PodCursor? after, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var freshSinceMs = nowMs - (long)_options.Staleness.TotalMilliseconds;
        var index = SortedPods();
        IReadOnlyList<PodEntity> pods;
        int start, end;
        if (query.Node is { } node)
        {
            var onNode = index.OnNode(node, query.Namespace);
            (pods, start, end) = (onNode, 0, onNode.Length);
            if (after is { } cursor) start = PodIndex.FirstAfter(onNode, new PodKey(cursor.Namespace, cursor.Name));
        }
        else
        {
            pods = index.Entities;
            (start, end) = query.Namespace is { } ns ? index.NamespaceRange(ns) : (0, index.Count);
            if (after is { } cursor) start = Math.Max(start, PodIndex.FirstAfter(index.Entities, new PodKey(cursor.Namespace, cursor.Name)));
        }
        // One view more than asked tells whether another page follows.
        var views = new List<PodView>(Math.Min(limit + 1, Math.Max(0, end - start)));
        for (var i = start; i < end && views.Count <= limit; i++)
        {
            var pod = pods[i];
            if (query.Name is not null && pod.Key.Name != query.Name) continue;
            if (pod.Latest(freshSinceMs, deployments) is { } view && Matches(query, view)) views.Add(view);
        }
        var more = views.Count > limit;
        if (more) views.RemoveAt(limit);
        return new PodPage(views, more);
    }

    public IReadOnlyList<PodHistory> PodHistories(PodQuery query, long fromMs, long nowMs)
    {
        var freshSinceMs = nowMs - (long)_options.Staleness.TotalMilliseconds;
        return Matching(query)
            .Select(p => p.History(freshSinceMs, fromMs, nowMs, deployments))
            .OfType<PodHistory>()
            .Where(h => Matches(query, h.Latest))
            .ToList();
    }

    public IReadOnlyList<AggregatePoint>? StepSums(PodQuery query, long fromMs, long nowMs, int stepSeconds)
    {
        var freshSinceMs = nowMs - (long)_options.Staleness.TotalMilliseconds;
        var matching = Matching(query);
        var pods = matching as IReadOnlyList<PodEntity> ?? matching.ToList();
        // A big rollup (a namespace of 10,000 pods) decodes every pod's window: split it over the
        // cores, each part summing into its own StepSums, then add the parts in a fixed order.
        var parts = new StepSums?[pods.Count >= ParallelRollupPods ? Math.Clamp(Environment.ProcessorCount, 1, 8) : 1];
        void SumPart(int part)
        {
            var sums = new StepSums(fromMs, nowMs, stepSeconds);
            var timestamps = new List<long>();
            var values = new List<double>();
            var any = false;
            for (var i = part * pods.Count / parts.Length; i < (part + 1) * pods.Count / parts.Length; i++)
            {
                timestamps.Clear();
                values.Clear();
                if (!pods[i].ReadIfMatching(query, freshSinceMs, fromMs, nowMs, deployments, timestamps, values)) continue;
                any = true;
                sums.AddPod(CollectionsMarshal.AsSpan(timestamps), CollectionsMarshal.AsSpan(values), fromMs);
            }
            parts[part] = any ? sums : null;
        }
        if (parts.Length == 1) SumPart(0);
        else Parallel.For(0, parts.Length, SumPart);

        StepSums? total = null;
        foreach (var part in parts)
        {
            if (part is null) continue;
            if (total is null) total = part;
            else total.Add(part);
        }
        return total?.Points();
    }

    /// <summary>The pods a query's namespace and name select, ordered by namespace then name.</summary>
    private IEnumerable<PodEntity> Matching(PodQuery query)
    {
        if (query is { Namespace: { } ns, Name: { } name })
        {
            return _pods.TryGetValue(new PodKey(ns, name), out var pod) ? [pod] : [];
        }
        if (query is { Name: { } podName })
        {
            return _podsByName.TryGetValue(podName, out var namesakes)
                ? namesakes.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => n.Value).ToList()
                : [];
        }
        var index = SortedPods();
        if (query.Node is { } onNode) return index.OnNode(onNode, query.Namespace);
        var (start, end) = query.Namespace is { } only ? index.NamespaceRange(only) : (0, index.Count);
        return new ArraySegment<PodEntity>(index.Entities, start, end - start);
    }

    /// <summary>The current sorted pod index, rebuilt when pods were created or freed since the last one.</summary>
    private PodIndex SortedPods()
    {
        // The version is read before the copy: an index holds at least the pods of its version,
        // so a pod stored before this read is always in it.
        var version = Interlocked.Read(ref _podSetVersion);
        var index = Volatile.Read(ref _podIndex);
        if (index is not null && index.Version == version) return index;
        index = new PodIndex(version, _pods.Values.ToArray());
        Volatile.Write(ref _podIndex, index);
        return index;
    }

    private static bool Matches(PodQuery query, PodView view) =>
        (query.Node is null || view.Node == query.Node) && (query.Deployment is null || view.Deployment == query.Deployment);

    private readonly record struct PodKey(string Namespace, string Name) : IComparable<PodKey>
    {
        public int CompareTo(PodKey other)
        {
            var byNamespace = string.CompareOrdinal(Namespace, other.Namespace);
            return byNamespace != 0 ? byNamespace : string.CompareOrdinal(Name, other.Name);
        }
    }

    /// <summary>Pod entities sorted by (namespace, name): an immutable snapshot of the set of pods.</summary>
    private sealed class PodIndex
    {
        private readonly PodKey[] _keys;

        public PodIndex(long version, PodEntity[] entities)
        {
            Version = version;
            _keys = Array.ConvertAll(entities, e => e.Key);
            Array.Sort(_keys, entities);
            Entities = entities;
        }

        public long Version { get; }

        public PodEntity[] Entities { get; }

        public int Count => _keys.Length;

        /// <summary>[start, end) of the pods in <paramref name="ns"/>.</summary>
        public (int Start, int End) NamespaceRange(string ns)
        {
            var start = LowerBound(k => string.CompareOrdinal(k.Namespace, ns) >= 0);
            var end = LowerBound(k => string.CompareOrdinal(k.Namespace, ns) > 0);
            return (start, end);
        }

        /// <summary>The position of the first pod after <paramref name="key"/> in pods ordered by key.</summary>
        public static int FirstAfter(PodEntity[] ordered, PodKey key)
        {
            int low = 0, high = ordered.Length;
            while (low < high)
            {
                var middle = (low + high) >>> 1;
                if (ordered[middle].Key.CompareTo(key) > 0) high = middle;
                else low = middle + 1;
            }
            return low;
        }

        private Dictionary<string, PodEntity[]>? _byNode;

        /// <summary>The pods charged to <paramref name="node"/> (optionally of one namespace), in order: <c>?node=</c> without a scan.</summary>
        public PodEntity[] OnNode(string node, string? ns)
        {
            var byNode = Volatile.Read(ref _byNode);
            if (byNode is null)
            {
                // Built once per index, on the first ?node= query; Entities is already in order.
                byNode = Entities.GroupBy(e => e.ChargedNode, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
                Volatile.Write(ref _byNode, byNode);
            }
            var pods = byNode.GetValueOrDefault(node, []);
            return ns is null ? pods : pods.Where(p => p.Key.Namespace == ns).ToArray();
        }

        /// <summary>The first position whose key satisfies a predicate that is false then true along the order.</summary>
        private int LowerBound(Func<PodKey, bool> atOrPast)
        {
            int low = 0, high = _keys.Length;
            while (low < high)
            {
                var middle = (low + high) >>> 1;
                if (atOrPast(_keys[middle])) high = middle;
                else low = middle + 1;
            }
            return low;
        }
    }

    /// <summary>What every entity shares: its lock, its samples, and the sweep's bookkeeping.</summary>
    private abstract class Entity(int fieldCount, long createdMs)
    {
        protected readonly Lock Gate = new();
        protected readonly EntitySeries Series = new(fieldCount);
        protected bool Retired;
        /// <summary>Writers between reservation and append; the sweep never retires an entity with one.</summary>
        public int PendingWrites;

        /// <summary>Newest sample time, or (while still empty) the time the entity was made.</summary>
        protected long NewestMs => Series.LastTimestamp ?? createdMs;

        protected static List<SampleMath.Row> ReadRows(EntitySeries series, long fromMs, long toMs)
        {
            var timestamps = new List<long>();
            var values = new List<double>();
            series.Read(fromMs, toMs, includePrevious: true, timestamps, values);
            var rows = new List<SampleMath.Row>(timestamps.Count);
            for (var i = 0; i < timestamps.Count; i++) rows.Add(RowAt(timestamps, values, series.FieldCount, i));
            return rows;
        }

        /// <summary>Under the lock: the newest sample and the one before it, if the entity is live.</summary>
        protected (SampleMath.Row? Previous, SampleMath.Row Current)? LatestPair(long freshSinceMs)
        {
            if (Retired || Series.LastTimestamp is not { } last || last < freshSinceMs) return null;
            return LatestRows(Series);
        }

        /// <summary>
        /// The newest sample and the one before it from the series' uncompressed latest rows:
        /// a latest view (GET /api/pods lists every pod) decodes no chunk.
        /// </summary>
        protected static (SampleMath.Row? Previous, SampleMath.Row Current) LatestRows(EntitySeries series)
        {
            var fieldCount = series.FieldCount;
            Span<long> timestamps = stackalloc long[2];
            Span<double> values = stackalloc double[2 * fieldCount];
            var n = series.CopyLatest(timestamps, values);
            var current = new SampleMath.Row(timestamps[n - 1], values.Slice((n - 1) * fieldCount, fieldCount).ToArray());
            return (n == 2 ? new SampleMath.Row(timestamps[0], values[..fieldCount].ToArray()) : null, current);
        }

        public virtual long BytesHeld()
        {
            lock (Gate) return Series.BytesHeld;
        }
    }

    private sealed class NodeEntity(string name, long createdMs) : Entity(NodeFields.Count, createdMs)
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

    private sealed class PodEntity(PodKey key, long createdMs) : Entity(PodFields.Count, createdMs), IChargedPod
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

    private sealed class ContainerSeries(long createdMs)
    {
        public EntitySeries Samples { get; } = new(ContainerFields.Count);
        public long NewestMs => Samples.LastTimestamp ?? createdMs;
    }
}

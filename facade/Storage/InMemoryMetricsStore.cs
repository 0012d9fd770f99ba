using KubeMonitor.Facade.Samples;
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
        PodEntity[] pods;
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
}

using System.Collections.Concurrent;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// Which nodes, pods and containers the embedded store holds, and the series quotas over them.
/// Entities are made and freed under one structure lock, so that the quotas hold exactly and a
/// request past them stores nothing; their samples are written under each entity's own lock.
/// </summary>
internal sealed class EntityDirectory(int maxSeries, int maxSeriesPerNode)
{
    private readonly ConcurrentDictionary<string, NodeEntity> _nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<PodKey, PodEntity> _pods = new();
    // Pod name -> its pod, or its pods by namespace when several namespaces share the name
    // (changed under the structure lock): GET /api/pods/{pod} without ?namespace= must not scan
    // every pod, and a name that many namespaces share costs O(1) per insert, not a copy of their
    // list. Most names are unique, and a dictionary per pod cost more than the pod's key.
    private readonly ConcurrentDictionary<string, object> _podsByName = new(StringComparer.Ordinal);
    private readonly Lock _structure = new();
    private long _seriesCount;
    // Series charged to each node (its own, its pods' and their containers'), under the
    // structure lock: one node over its quota cannot take the room of the others.
    private readonly NodeSeriesLedger _ledger = new(maxSeriesPerNode);
    // Pods sorted by (namespace, name), rebuilt on the first read after the set of pods changed:
    // lists come out in order without sorting views, a namespace is a range, a page a binary search.
    private long _podSetVersion;
    private PodIndex? _podIndex;

    public long SeriesCount => Interlocked.Read(ref _seriesCount);

    public IEnumerable<NodeEntity> Nodes => _nodes.Values;

    public IEnumerable<PodEntity> Pods => _pods.Values;

    public NodeEntity? Node(string name) => _nodes.GetValueOrDefault(name);

    /// <summary>The entities a batch writes to, the entries that go to them, or why nothing is stored.</summary>
    public sealed record Reservation(
        StoreOutcome? Refusal, NodeEntity? Node, NodeEntry? NodeEntry, List<PodEntity> PodEntities, List<PodEntry> PodEntries, int SeriesRefused);

    /// <summary>
    /// Finds or creates every entity the batch writes to, under the structure lock, so that the
    /// quotas hold exactly. A node that would pass its own quota gets nothing stored. Past the
    /// global cap, series that exist keep being stored and only new ones are refused, so a full
    /// store still follows every pod it holds. Entities handed out are marked as being written,
    /// so the sweep leaves them alone.
    /// </summary>
    public Reservation Reserve(NodeEntry? node, List<PodEntry> pods, long nowMs)
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
            if (_seriesCount + plan.NewSeries > maxSeries)
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
                    entity = new PodEntity(key with { Namespace = NamePool.Share(key.Namespace) }, nowMs) { ChargedNode = NodeSeriesLedger.Payer(NamePool.ShareOrNull(pod.Node)) };
                    _pods[key] = entity;
                    AddNamesake(entity);
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

    /// <summary>
    /// Adds an entity made again from a checkpoint (before any push is taken), charged as a push
    /// would charge it but past no quota: what was held before a restart is held after it.
    /// </summary>
    public void Restore(NodeEntity node)
    {
        lock (_structure)
        {
            if (!_nodes.TryAdd(node.Name, node)) throw new InvalidDataException($"Node '{node.Name}' is restored twice.");
            _seriesCount++;
            _ledger.Charge(node.Name, 1);
        }
    }

    /// <inheritdoc cref="Restore(NodeEntity)"/>
    public void Restore(PodEntity pod)
    {
        lock (_structure)
        {
            if (!_pods.TryAdd(pod.Key, pod)) throw new InvalidDataException($"Pod '{pod.Key.Namespace}/{pod.Key.Name}' is restored twice.");
            AddNamesake(pod);
            var series = 1 + pod.ContainerCount;
            _seriesCount += series;
            _ledger.Charge(pod.ChargedNode, series);
            Interlocked.Increment(ref _podSetVersion);
        }
    }

    /// <summary>
    /// Frees the stale entities and containers that the trim found, under the structure lock.
    /// An entity written to since (or being written) stays.
    /// </summary>
    public void Retire(List<NodeEntity> staleNodes, List<PodEntity> podsToRemove, long freshSinceMs)
    {
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
                    RemoveNamesake(pod);
                }
            }
        }
    }


    /// <summary>Files a new pod under its name (under the structure lock).</summary>
    private void AddNamesake(PodEntity pod)
    {
        switch (_podsByName.GetValueOrDefault(pod.Key.Name))
        {
            case null:
                _podsByName[pod.Key.Name] = pod;
                break;
            case PodEntity other:
                _podsByName[pod.Key.Name] = new ConcurrentDictionary<string, PodEntity>(StringComparer.Ordinal)
                {
                    [other.Key.Namespace] = other,
                    [pod.Key.Namespace] = pod,
                };
                break;
            case ConcurrentDictionary<string, PodEntity> namesakes:
                namesakes[pod.Key.Namespace] = pod;
                break;
        }
    }

    /// <summary>Takes a freed pod off its name (under the structure lock).</summary>
    private void RemoveNamesake(PodEntity pod)
    {
        switch (_podsByName.GetValueOrDefault(pod.Key.Name))
        {
            case PodEntity only when ReferenceEquals(only, pod):
                _podsByName.TryRemove(pod.Key.Name, out _);
                break;
            case ConcurrentDictionary<string, PodEntity> shared:
                shared.TryRemove(new KeyValuePair<string, PodEntity>(pod.Key.Namespace, pod));
                if (shared.IsEmpty) _podsByName.TryRemove(pod.Key.Name, out _);
                break;
        }
    }

    /// <summary>The pods a query's namespace and name select, ordered by namespace then name.</summary>
    public IEnumerable<PodEntity> Matching(PodSelector query)
    {
        if (query is { Namespace: { } ns, Name: { } name })
        {
            return _pods.TryGetValue(new PodKey(ns, name), out var pod) ? [pod] : [];
        }
        if (query is { Name: { } podName })
        {
            return _podsByName.TryGetValue(podName, out var namesakes) switch
            {
                false => [],
                true when namesakes is PodEntity unique => [unique],
                _ => ((ConcurrentDictionary<string, PodEntity>)namesakes).OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => n.Value).ToList(),
            };
        }
        var index = SortedPods();
        if (query.Node is { } onNode) return index.OnNode(onNode, query.Namespace);
        var (start, end) = query.Namespace is { } only ? index.NamespaceRange(only) : (0, index.Count);
        return new ArraySegment<PodEntity>(index.Entities, start, end - start);
    }

    /// <summary>The current sorted pod index, rebuilt when pods were created or freed since the last one.</summary>
    public PodIndex SortedPods()
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
}

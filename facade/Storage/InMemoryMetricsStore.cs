using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// The embedded store's writes and retention: a batch goes to the entities its
/// <see cref="EntityDirectory"/> reserves, each under its own lock; the sweep drops what is past
/// the retention and frees what went stale. Reads go through <see cref="StoredSamples"/>.
/// </summary>
internal sealed class InMemoryMetricsStore(IOptions<FacadeOptions> options, TimeProvider clock) : ISampleStore
{
    private readonly FacadeOptions _options = options.Value;
    private readonly EntityDirectory _directory = new(options.Value.MaxSeries, options.Value.MaxSeriesPerNode);

    public EntityDirectory Directory => _directory;

    public long SeriesCount => _directory.SeriesCount;

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

        var reservation = _directory.Reserve(node, pods, nowMs);
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

    /// <summary>Drops samples past the retention and frees entities (and containers) that went stale.</summary>
    public void Sweep()
    {
        var nowMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var oldestKeptMs = nowMs - (long)_options.Retention.TotalMilliseconds;
        var freshSinceMs = nowMs - (long)_options.Staleness.TotalMilliseconds;
        // Trim under each entity's own lock first; take the structure lock only to remove.
        var staleNodes = _directory.Nodes.Where(n => n.Trim(oldestKeptMs, freshSinceMs)).ToList();
        var podsToRemove = _directory.Pods.Where(p => p.Trim(oldestKeptMs, freshSinceMs)).ToList();
        if (staleNodes.Count == 0 && podsToRemove.Count == 0) return;
        _directory.Retire(staleNodes, podsToRemove, freshSinceMs);
    }

    /// <summary>
    /// Every entity as a checkpoint keeps it, each imaged under its own lock (pushes go on
    /// meanwhile); closed chunks that <paramref name="archive"/> does not hold yet are stored there.
    /// </summary>
    public IEnumerable<NodeImage> NodeImages(IChunkArchive? archive = null) => _directory.Nodes.Select(n => n.Image(archive));

    /// <inheritdoc cref="NodeImages"/>
    public IEnumerable<PodImage> PodImages(IChunkArchive? archive = null) => _directory.Pods.Select(p => p.Image(archive));

    /// <summary>Makes an entity again from a checkpoint, then drops what is past the retention.</summary>
    public void Restore(NodeImage image)
    {
        var nowMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var node = NodeEntity.FromImage(image, nowMs);
        node.Trim(nowMs - (long)_options.Retention.TotalMilliseconds, 0);
        _directory.Restore(node);
    }

    /// <inheritdoc cref="Restore(NodeImage)"/>
    public void Restore(PodImage image)
    {
        var nowMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var pod = PodEntity.FromImage(image, nowMs);
        pod.Trim(nowMs - (long)_options.Retention.TotalMilliseconds, 0);
        _directory.Restore(pod);
    }

    public long BytesHeld() => _directory.Nodes.Sum(n => n.BytesHeld()) + _directory.Pods.Sum(p => p.BytesHeld());
}

using System.Text.Json;
using KubeMonitor.Contracts;
using KubeMonitor.Exporter.Collection;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Push;

/// <summary>
/// Pushes every collected batch to every facade target. A call hands the batch to each
/// target's buffer and returns; each endpoint delivers on its own, oldest first, so a slow or
/// unreachable facade delays nobody else and misses nothing within its buffer bound.
/// </summary>
public sealed class FacadePusher : ICollectionSink, IAsyncDisposable
{
    private readonly PushMetrics _metrics;
    private readonly List<FacadeTarget> _targets = [];
    private readonly SemaphoreSlim _round = new(1, 1);

    internal FacadePusher(
        PushOptions options,
        PushMetrics metrics,
        FacadeClient client,
        IFacadeResolver resolver,
        TimeProvider time,
        ILogger<FacadePusher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _metrics = metrics;
        foreach (var url in options.FacadeUrls.Distinct())
        {
            _targets.Add(new FacadeTarget(url, options, metrics, resolver, time, logger, client.SendAsync));
        }
    }

    internal IEnumerable<FacadeEndpoint> Endpoints => _targets.SelectMany(t => t.Endpoints);

    /// <summary>Pushes the interval's collection.</summary>
    public ValueTask AcceptAsync(CollectionResult collection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(collection);
        return new ValueTask(PushAsync(collection.Snapshot, cancellationToken));
    }

    /// <summary>Maps the snapshot (docs/api.md section 2) and pushes it; pods Kubernetes does not name yet are counted, not sent.</summary>
    public Task PushAsync(NodeSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var mapping = BatchMapper.Map(snapshot);
        _metrics.SetUnnamedPods(mapping.UnnamedPods);
        _metrics.SetLabelsLeftOut(mapping.LabelsLeftOut);
        return PushAsync(snapshot.NodeName, mapping.Batch, cancellationToken);
    }

    /// <summary>
    /// Queues one batch for every target, after re-resolving target names (bounded by the
    /// attempt timeout). Returns once it is queued, not delivered. Calls are serialized so
    /// batches keep their order.
    /// </summary>
    public async Task PushAsync(string node, Batch batch, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(batch);
        var pending = new PendingBatch(
            node,
            // sentAt is each attempt's own (SentAtContent), never the collection's.
            JsonSerializer.SerializeToUtf8Bytes(batch with { SentAt = null }, ContractJson.Default.Batch),
            batch.Timestamp ?? DateTimeOffset.MinValue);

        await _round.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_targets.Select(t => t.RefreshAsync(cancellationToken))).ConfigureAwait(false);
            foreach (var target in _targets) target.Enqueue(pending);
        }
        finally
        {
            _round.Release();
        }
    }

    /// <summary>Stops every endpoint's worker. Buffered batches live in memory only and end with the process.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var target in _targets) await target.DisposeAsync().ConfigureAwait(false);
        _round.Dispose();
    }
}

using KubeMonitor.Exporter.Collection;
using Prometheus;

namespace KubeMonitor.Exporter.Metrics;

/// <summary>
/// What a scrape sends: the registry as it stands after a collection at most
/// <see cref="FreshCollections.ScrapeMaxAge"/> old (docs/api.md section 4), written out once per
/// collection and format. Scrapes that share a collection (two Prometheus replicas, a person with
/// curl) get the same bytes; each new text replaces the last, so one text per format is kept.
/// </summary>
public sealed class ScrapeExposition(CollectorRegistry registry, FreshCollections collections) : IDisposable
{
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Text?[] _texts = new Text?[2];

    /// <summary>The text of a collection fresh enough for a scrape, in <paramref name="format"/>.</summary>
    public async Task<ReadOnlyMemory<byte>> GetAsync(ExpositionFormat format, CancellationToken cancellationToken)
    {
        var collection = await collections.GetAsync(FreshCollections.ScrapeMaxAge, cancellationToken).ConfigureAwait(false);
        var slot = format == ExpositionFormat.OpenMetricsText ? 1 : 0;
        if (Volatile.Read(ref _texts[slot]) is { } ready && ready.Of == collection) return ready.Bytes;
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_texts[slot] is { } written && written.Of == collection) return written.Bytes;
            // Sized as the last text of this format: one copy, no growing.
            using var buffer = new MemoryStream(_texts[slot]?.Bytes.Length ?? 64 * 1024);
            await registry.CollectAndExportAsTextAsync(buffer, format, cancellationToken).ConfigureAwait(false);
            var text = new Text(collection, buffer.ToArray());
            Volatile.Write(ref _texts[slot], text);
            return text.Bytes;
        }
        finally
        {
            _writing.Release();
        }
    }

    public void Dispose() => _writing.Dispose();

    /// <summary>A collection's exposition; the registry may hold a newer one by the time it is read, never an older one.</summary>
    private sealed record Text(CollectionResult Of, byte[] Bytes);
}

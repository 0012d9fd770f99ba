using System.Text.Json;
using KubeMonitor.Contracts;
using KubeMonitor.Facade.Tests.Prometheus;

namespace KubeMonitor.FacadeLoad;

/// <summary>
/// Sends the batches the facade is pushed to Prometheus as well, as the section-4 series an
/// exporter would have served and Prometheus scraped (the facade tests' <see cref="ExporterSeries"/>),
/// by remote write. A few ticks go in one request per node, so that a series' labels are sent once
/// for several samples; ticks are written oldest first, as a scrape appends them.
/// </summary>
internal sealed class PrometheusFeed(Cluster cluster, ExporterSeries series, RemoteWriter writer, int ticksPerWrite)
{
    private const int WritesInFlight = 2;
    private List<MetricSample>[] _pending = NewPending(cluster.NodeCount);
    private int _ticksPending;
    private long _written;

    /// <summary>Samples written so far (each value of each series at each tick).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Takes one node's batch of one tick (the facade's JSON, as pushed).</summary>
    public void Add(int node, long tickMs, ReadOnlyMemory<byte> batchJson)
    {
        var batch = JsonSerializer.Deserialize(batchJson.Span, ContractJson.Default.Batch) ?? throw new InvalidOperationException("An empty batch.");
        var samples = series.ForBatch(cluster.NodeName(node), batch, tickMs);
        var pending = _pending[node];
        lock (pending) pending.AddRange(samples);
    }

    /// <summary>
    /// Called as each tick starts, before its batches: writes the ticks held once there are
    /// <c>ticksPerWrite</c> of them, beside the tick's pushes.
    /// </summary>
    public Task BeforeTickAsync(DateTimeOffset tick)
    {
        if (++_ticksPending <= ticksPerWrite) return Task.CompletedTask;
        _ticksPending = 1;
        return WriteAsync(Swap());
    }

    /// <summary>Writes what is still held.</summary>
    public Task FlushAsync()
    {
        _ticksPending = 0;
        return WriteAsync(Swap());
    }

    private List<MetricSample>[] Swap()
    {
        var full = _pending;
        _pending = NewPending(full.Length);
        return full;
    }

    private async Task WriteAsync(List<MetricSample>[] perNode)
    {
        await Parallel.ForEachAsync(perNode, new ParallelOptions { MaxDegreeOfParallelism = WritesInFlight }, async (samples, ct) =>
        {
            if (samples.Count == 0) return;
            await writer.WriteAsync(samples, ct);
            Interlocked.Add(ref _written, samples.Count);
        });
    }

    private static List<MetricSample>[] NewPending(int nodes) => [.. Enumerable.Range(0, nodes).Select(_ => new List<MetricSample>())];
}

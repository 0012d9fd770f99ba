using KubeMonitor.Facade.Storage;
using Prometheus;

namespace KubeMonitor.Facade.Telemetry;

/// <summary>
/// The facade's own metrics, in a registry of its own (two facades in one test process do not
/// share counters). Series and bytes held are read from the embedded store (when it is the source) at each scrape:
/// its memory, not the <see cref="ISampleStore"/> in front of it, which may be the durable store that reports here.
/// </summary>
internal sealed class FacadeMetrics
{
    public FacadeMetrics(IEnumerable<InMemoryMetricsStore> stores)
    {
        Registry = Metrics.NewCustomRegistry();
        Factory = Metrics.WithCustomRegistry(Registry);
        SamplesReceived = Factory.CreateCounter(
            "kubemonitor_facade_samples_received_total", "Samples in accepted pushes, by entity kind.", ["kind"]);
        SamplesDropped = Factory.CreateCounter(
            "kubemonitor_facade_samples_dropped_total",
            "Accepted samples not stored: duplicate (timestamp already held), out_of_order (older than the newest), too_old (past the retention).",
            ["reason"]);
        PushesRejected = Factory.CreateCounter(
            "kubemonitor_facade_pushes_rejected_total",
            "Rejected pushes (nothing of them stored), by reason: malformed, invalid, too_large, unsupported_media_type, node_quota, series_cap, wrong_node, store_unavailable (loading from disk, or the disk refuses writes).",
            ["reason"]);
        SeriesRefused = Factory.CreateCounter(
            "kubemonitor_facade_series_refused_total",
            "New series left out of accepted pushes because the store was at its global series cap (Facade:MaxSeries).");
        ReadsRejected = Factory.CreateCounter(
            "kubemonitor_facade_reads_rejected_total",
            "Heavy reads answered 429 because Facade:MaxConcurrentReads were already running.");
        ClockShiftedPushes = Factory.CreateCounter(
            "kubemonitor_facade_clock_shifted_pushes_total",
            "Accepted batches whose timestamps were shifted to the facade's clock because their sentAt was more than 1 s off.");
        if (stores.FirstOrDefault() is not { } store) return;
        var series = Factory.CreateGauge("kubemonitor_facade_series", "Series held (nodes + pods + containers).");
        var bytes = Factory.CreateGauge("kubemonitor_facade_bytes_held", "Bytes of sample data held by the store.");
        Registry.AddBeforeCollectCallback(() =>
        {
            series.Set(store.SeriesCount);
            bytes.Set(store.BytesHeld());
        });
    }

    public CollectorRegistry Registry { get; }

    public IMetricFactory Factory { get; }

    public Counter SamplesReceived { get; }

    public Counter SamplesDropped { get; }

    public Counter PushesRejected { get; }

    public Counter SeriesRefused { get; }

    public Counter ClockShiftedPushes { get; }

    public Counter ReadsRejected { get; }
}

using KubeMonitor.Facade.Storage.Durable;
using Microsoft.Extensions.Options;
using Prometheus;

namespace KubeMonitor.Facade.Telemetry;

/// <summary>
/// The data folder's metrics (<c>Facade:DataDirectory</c>), in the facade's registry and only when
/// it is set: the write-ahead log's bytes and fsyncs, checkpoints, and what the start loaded.
/// Named after the Prometheus TSDB's own (<c>prometheus_tsdb_wal_fsync_duration_seconds</c>,
/// <c>prometheus_tsdb_data_replay_duration_seconds</c>, ...), histograms where it has summaries.
/// </summary>
internal sealed class DurableStoreMetrics : IDataDirectoryMetrics
{
    // Null without a data folder: a facade without one shows none of these metrics.
    private readonly Collectors? _collectors;

    public DurableStoreMetrics(FacadeMetrics facadeMetrics, IOptions<FacadeOptions> options)
    {
        if (options.Value.DataDirectory is not null) _collectors = new Collectors(facadeMetrics.Factory);
    }

    public void LogWritten(long bytes) => _collectors?.LogBytesWritten.Inc(bytes);

    public void LogSynced(TimeSpan took) => _collectors?.LogFsyncSeconds.Observe(took.TotalSeconds);

    public void CheckpointWritten(long bytes, TimeSpan took)
    {
        if (_collectors is not { } c) return;
        c.Checkpoints.WithLabels("written").Inc();
        c.CheckpointBytesWritten.Inc(bytes);
        c.CheckpointSeconds.Observe(took.TotalSeconds);
    }

    public void CheckpointFailed() => _collectors?.Checkpoints.WithLabels("failed").Inc();

    public void Loaded(TimeSpan took, long recordsReplayed, long tornTails)
    {
        if (_collectors is not { } c) return;
        c.ReplaySeconds.Set(took.TotalSeconds);
        c.RecordsReplayed.Inc(recordsReplayed);
        c.TornTails.Inc(tornTails);
    }

    private sealed class Collectors(IMetricFactory factory)
    {
        public Counter LogBytesWritten { get; } = factory.CreateCounter(
            "kubemonitor_facade_wal_written_bytes_total", "Bytes written to the write-ahead log (records and segment headers).");

        public Histogram LogFsyncSeconds { get; } = factory.CreateHistogram(
            "kubemonitor_facade_wal_fsync_duration_seconds",
            "Seconds each fsync of the write-ahead log took; with Facade:WalSync=Always a push waits for one (shared with the pushes beside it).",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0001, 4, 9) }); // 0.1 ms to 6.6 s

        public Counter Checkpoints { get; } = factory.CreateCounter(
            "kubemonitor_facade_checkpoints_total", "Checkpoints of the window, by result: written, failed (the log is kept until one is written).", ["result"]);

        public Counter CheckpointBytesWritten { get; } = factory.CreateCounter(
            "kubemonitor_facade_checkpoint_written_bytes_total", "Bytes the checkpoints wrote: their files, and the chunks closed since the checkpoint before.");

        public Histogram CheckpointSeconds { get; } = factory.CreateHistogram(
            "kubemonitor_facade_checkpoint_duration_seconds", "Seconds each written checkpoint took, from the first entity imaged to the file synced and renamed.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 4, 8) }); // 10 ms to 2.7 min

        public Gauge ReplaySeconds { get; } = factory.CreateGauge(
            "kubemonitor_facade_data_replay_duration_seconds", "Seconds this start took to load the checkpoint and replay the log, before /readyz passed.");

        public Counter RecordsReplayed { get; } = factory.CreateCounter(
            "kubemonitor_facade_wal_records_replayed_total", "Pushes read back from the write-ahead log at start, after the checkpoint.");

        public Counter TornTails { get; } = factory.CreateCounter(
            "kubemonitor_facade_wal_torn_tails_total",
            "Log segments found damaged at start (a kill in the middle of a write, a changed byte) and cut after their last whole record.");
    }
}

namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// What the data folder reports as it works: the log's writes and fsyncs, checkpoints, and what a
/// start loaded. The facade's telemetry counts it; the store knows only this port.
/// </summary>
internal interface IDataDirectoryMetrics
{
    void LogWritten(long bytes);

    void LogSynced(TimeSpan took);

    void CheckpointWritten(long bytes, TimeSpan took);

    void CheckpointFailed();

    void Loaded(TimeSpan took, long recordsReplayed, long tornTails);
}

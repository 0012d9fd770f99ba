namespace KubeMonitor.Facade.Storage;

/// <summary>The embedded store's write side: where validated pushes go (reads go through Samples.ISampleSource).</summary>
internal interface ISampleStore
{
    /// <summary>Stores a validated batch, all of it or (past the series cap) nothing.</summary>
    StoreOutcome Store(IngestBatch batch);

    /// <summary>Series held: nodes + pods + containers.</summary>
    long SeriesCount { get; }

    /// <summary>Bytes of sample data held by every series.</summary>
    long BytesHeld();
}

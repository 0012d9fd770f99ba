namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>Timing of a <see cref="ListWatch{T}"/>; the defaults suit production, tests shorten them.</summary>
public sealed record ListWatchOptions
{
    public ExponentialBackoff Backoff { get; init; } = ExponentialBackoff.Default();
    /// <summary>A list that takes longer than this counts as failed.</summary>
    public TimeSpan ListTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>The server ends each watch after a random 1 to 2 times this (as client-go does), spreading reconnects.</summary>
    public TimeSpan MinWatchDuration { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>How long past its timeoutSeconds a watch may stay open before the client drops it (a half-open connection).</summary>
    public TimeSpan WatchGrace { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>A watch that ends sooner than this, even with events, waits a first back-off step before the next.</summary>
    public TimeSpan ShortWatch { get; init; } = TimeSpan.FromSeconds(1);
}

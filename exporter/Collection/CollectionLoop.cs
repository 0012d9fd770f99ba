using KubeMonitor.Exporter.Metrics;
using KubeMonitor.Exporter.Push;

namespace KubeMonitor.Exporter.Collection;

/// <summary>
/// The exporter's heartbeat: every interval one collection, which both /metrics and the push
/// to the facades show (so a scrape costs only the exposition, and Prometheus and the facade
/// see the same numbers). Liveness is "this loop still ticks".
/// </summary>
public sealed class CollectionLoop(
    CollectionRunner runner,
    ExporterMetrics metrics,
    TimeSpan interval,
    TimeProvider time,
    ILogger<CollectionLoop> logger,
    FacadePusher? pusher = null) : BackgroundService
{
    private long _lastTickTimestamp = time.GetTimestamp();

    /// <summary>False once no collection has finished for three intervals (a stuck read, a dead loop).</summary>
    public bool IsTicking => time.GetElapsedTime(Interlocked.Read(ref _lastTickTimestamp)) < 3 * interval + TimeSpan.FromSeconds(5);

    /// <summary>One collection: published to /metrics and queued for every facade.</summary>
    public async Task CollectOnceAsync(CancellationToken cancellationToken)
    {
        var result = runner.Collect();
        metrics.Publish(result);
        if (pusher is not null)
        {
            await pusher.PushAsync(result.Snapshot, cancellationToken).ConfigureAwait(false);
        }
        Interlocked.Exchange(ref _lastTickTimestamp, time.GetTimestamp());
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Collecting every {Interval}{Push}", interval, pusher is null ? "; no facade to push to" : " and pushing to the facades");
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await CollectOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Collectors report their own failures; this is the loop's last line of defence.
                    logger.LogError(e, "Collection failed");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

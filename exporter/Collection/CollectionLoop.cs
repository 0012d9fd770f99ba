using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Collection;

/// <summary>
/// The exporter's heartbeat: every interval a new collection, handed to the interval's sinks
/// (the push to the facades). It never takes a finished scrape's collection, so pushed samples
/// stay on the interval's ticks (regular timestamps compress best in the facade); a collection
/// already running when it ticks is shared (<see cref="FreshCollections"/>). The first
/// collection runs at start, so /metrics and /readyz are served from the first request on.
/// Liveness is "this loop still ticks".
/// </summary>
public sealed class CollectionLoop(
    FreshCollections collections,
    IEnumerable<ICollectionSink> sinks,
    TimeSpan interval,
    TimeProvider time,
    ILogger<CollectionLoop> logger) : BackgroundService
{
    private readonly ICollectionSink[] _sinks = [.. sinks];
    private long _lastTickTimestamp = time.GetTimestamp();

    /// <summary>False once no tick has finished for three intervals (a stuck read, a dead loop).</summary>
    public bool IsTicking => time.GetElapsedTime(Interlocked.Read(ref _lastTickTimestamp)) < 3 * interval + TimeSpan.FromSeconds(5);

    /// <summary>Runs the first collection (for every-collection sinks such as /metrics), then the loop.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await collections.GetAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One tick: a new (or the running) collection, handed to every interval sink.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var collection = await collections.GetAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        foreach (var sink in _sinks)
        {
            await sink.AcceptAsync(collection, cancellationToken).ConfigureAwait(false);
        }
        Interlocked.Exchange(ref _lastTickTimestamp, time.GetTimestamp());
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Collecting every {Interval}, each handed to {Sinks}", interval,
            _sinks.Length == 0 ? "no interval sink" : string.Join(", ", _sinks.Select(s => s.GetType().Name)));
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await TickAsync(stoppingToken).ConfigureAwait(false);
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

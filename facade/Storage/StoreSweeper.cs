using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// Runs <see cref="InMemoryMetricsStore.Sweep"/> every <see cref="FacadeOptions.SweepInterval"/>
/// on a timer of the injected <see cref="TimeProvider"/>, so tests advance it with a fake clock.
/// Its last tick is the facade's liveness.
/// </summary>
internal sealed class StoreSweeper(InMemoryMetricsStore store, TimeProvider clock, IOptions<FacadeOptions> options, ILogger<StoreSweeper> logger)
    : IHostedService, IDisposable
{
    private ITimer? _timer;
    private long _lastTickMs = clock.GetUtcNow().ToUnixTimeMilliseconds();

    public TimeSpan Interval => options.Value.SweepInterval;

    /// <summary>When the sweep last ran (or the facade started).</summary>
    public DateTimeOffset LastTick => DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Read(ref _lastTickMs));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = clock.CreateTimer(_ => Tick(), null, Interval, Interval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    private void Tick()
    {
        try
        {
            store.Sweep();
            Interlocked.Exchange(ref _lastTickMs, clock.GetUtcNow().ToUnixTimeMilliseconds());
        }
#pragma warning disable CA1031 // A failed sweep must not kill the timer; livez reports it by going stale.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogError(e, "Store sweep failed");
        }
    }
}

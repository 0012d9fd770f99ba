namespace KubeMonitor.Exporter.Collection;

/// <summary>
/// One collection at a time, shared by everyone who asks (docs/api.md section 4: a scrape serves
/// values read at most 1 s before it). A caller gets the newest collection when it started
/// within the age asked for, else waits for the one running, else starts one; scrapes and the
/// interval loop thus never read the kernel twice at once. Each new collection is handed to
/// every sink, in order, before any caller gets it.
/// </summary>
public sealed class FreshCollections(CollectionRunner runner, IEnumerable<ICollectionSink> sinks, TimeProvider time)
{
    /// <summary>How old the values a scrape serves may be: Prometheus stamps them with the scrape's time.</summary>
    public static readonly TimeSpan ScrapeMaxAge = TimeSpan.FromSeconds(1);

    private readonly ICollectionSink[] _sinks = [.. sinks];
    private readonly Lock _gate = new();
    private Task<CollectionResult>? _running;
    private CollectionResult? _newest;
    private long _newestStartedAt;

    /// <summary>
    /// A collection that started less than <paramref name="maxAge"/> ago, or the running one;
    /// with <see cref="TimeSpan.Zero"/> never one that has finished. Cancelling stops the wait,
    /// not the collection: others may be waiting for it too.
    /// </summary>
    public Task<CollectionResult> GetAsync(TimeSpan maxAge, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_newest is { } newest && time.GetElapsedTime(_newestStartedAt) < maxAge)
            {
                return Task.FromResult(newest);
            }
            // Off the caller's thread: the collectors' reads are synchronous.
            _running ??= Task.Run(CollectAsync, CancellationToken.None);
            return _running.WaitAsync(cancellationToken);
        }
    }

    private async Task<CollectionResult> CollectAsync()
    {
        try
        {
            // Its age counts from the start: the first file is read then.
            var startedAt = time.GetTimestamp();
            var result = runner.Collect();
            foreach (var sink in _sinks)
            {
                await sink.AcceptAsync(result, CancellationToken.None).ConfigureAwait(false);
            }
            lock (_gate)
            {
                _newest = result;
                _newestStartedAt = startedAt;
            }
            return result;
        }
        finally
        {
            // After GetAsync stored this task (it holds the lock while starting it).
            lock (_gate) _running = null;
        }
    }
}

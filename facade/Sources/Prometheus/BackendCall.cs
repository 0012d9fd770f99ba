namespace KubeMonitor.Facade.Sources.Prometheus;

/// <summary>
/// One request of the API to the backend, however many queries it takes: they all share one
/// deadline, so that no answer waits past the configured timeout.
/// </summary>
internal sealed class BackendCall : IDisposable
{
    private readonly CancellationTokenSource _deadline;

    public BackendCall(TimeSpan timeout, CancellationToken caller)
    {
        Timeout = timeout;
        Caller = caller;
        _deadline = CancellationTokenSource.CreateLinkedTokenSource(caller);
        _deadline.CancelAfter(timeout);
    }

    public TimeSpan Timeout { get; }

    /// <summary>The caller's own token: when it is cancelled, the caller went away (not a backend failure).</summary>
    public CancellationToken Caller { get; }

    /// <summary>Cancelled by the caller or at the deadline.</summary>
    public CancellationToken Token => _deadline.Token;

    public void Dispose() => _deadline.Dispose();
}

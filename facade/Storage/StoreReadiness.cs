namespace KubeMonitor.Facade.Storage;

/// <summary>
/// Whether the embedded store holds what it held before the start: a replica that answers before
/// its data is loaded would give another window than its peer (<c>/readyz</c> waits for this).
/// Ready from the start unless a loader says otherwise.
/// </summary>
internal sealed class StoreReadiness
{
    private volatile string? _notReady;

    /// <summary>Why the store is not ready (loading, with how far), or null when it is.</summary>
    public string? NotReadyReason => _notReady;

    public bool IsReady => _notReady is null;

    public void NotReady(string reason) => _notReady = reason;

    public void Ready() => _notReady = null;
}

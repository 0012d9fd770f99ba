namespace KubeMonitor.Exporter.Push;

/// <summary>
/// One address batches are delivered to, with its own bounded FIFO buffer and its own worker,
/// so a slow or dead facade never delays another. The worker sends strictly oldest first and
/// only drops a batch from the head once the facade answered for it: the facade ignores a
/// sample older than its newest, so a newer batch must never overtake a buffered one.
/// </summary>
internal sealed class FacadeEndpoint : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Queue<PendingBatch> _buffer = new();
    private readonly int _capacity;
    private readonly long _maxBytes;
    private readonly TimeSpan _retryDelay;
    private readonly PushMetrics _metrics;
    private readonly Func<FacadeEndpoint, PendingBatch, CancellationToken, Task<SendOutcome>> _send;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;

    // The head being sent; if the buffer overflows meanwhile it is taken out and marked, and
    // the send's outcome decides how it is counted.
    private PendingBatch? _inFlight;
    private bool _inFlightEvicted;
    private long _bufferedBytes;

    public FacadeEndpoint(
        string label,
        Uri baseAddress,
        string? hostHeader,
        int capacity,
        long maxBytes,
        TimeSpan retryDelay,
        PushMetrics metrics,
        Func<FacadeEndpoint, PendingBatch, CancellationToken, Task<SendOutcome>> send)
    {
        Label = label;
        BaseAddress = baseAddress;
        HostHeader = hostHeader;
        _capacity = capacity;
        _maxBytes = maxBytes;
        _retryDelay = retryDelay;
        _metrics = metrics;
        _send = send;
        _metrics.SetBuffered(Label, 0, 0);
        _worker = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>The <c>target</c> label of the push metrics.</summary>
    public string Label { get; }

    /// <summary>Where requests go (an address when the name was resolved by us).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The configured name, sent as Host when <see cref="BaseAddress"/> is a resolved address.</summary>
    public string? HostHeader { get; }

    /// <summary>When the target's name last resolved to this address (for expiry of vanished pods).</summary>
    public DateTimeOffset LastSeen { get; set; }

    /// <summary>Set by the client after a failure, so an outage is logged once, not every round.</summary>
    public bool Failing { get; set; }

    public int Buffered
    {
        get { lock (_gate) return _buffer.Count; }
    }

    /// <summary>
    /// Queues a batch behind the backlog and wakes the worker. Past either bound (batches or
    /// bytes) the oldest are dropped; the newest stays even if it alone is over the byte bound.
    /// </summary>
    public void Enqueue(PendingBatch batch)
    {
        lock (_gate)
        {
            _buffer.Enqueue(batch);
            _bufferedBytes += batch.Json.Length;
            while (_buffer.Count > _capacity || (_bufferedBytes > _maxBytes && _buffer.Count > 1))
            {
                var oldest = _buffer.Dequeue();
                _bufferedBytes -= oldest.Json.Length;
                if (ReferenceEquals(oldest, _inFlight)) _inFlightEvicted = true;
                else _metrics.Count(Label, PushMetrics.Dropped);
            }
            _metrics.SetBuffered(Label, _buffer.Count, _bufferedBytes);
        }
        Wake();
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the worker drains everything once it wakes.
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var backlogStuck = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                // After a failure the backlog is tried again on the next batch, or after one
                // interval if none comes, so a facade that is back gets its replay promptly.
                if (backlogStuck) await _wake.WaitAsync(_retryDelay, stop).ConfigureAwait(false);
                else await _wake.WaitAsync(stop).ConfigureAwait(false);
                backlogStuck = !await DrainAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Sends oldest first until the buffer is empty (true) or a send fails (false: the rest waits).</summary>
    private async Task<bool> DrainAsync(CancellationToken stop)
    {
        while (true)
        {
            PendingBatch head;
            lock (_gate)
            {
                if (!_buffer.TryPeek(out head!)) return true;
                _inFlight = head;
                _inFlightEvicted = false;
            }

            SendOutcome outcome;
            try
            {
                outcome = await _send(this, head, stop).ConfigureAwait(false);
            }
            finally
            {
                // On shutdown the batch simply stays where it was.
                lock (_gate) _inFlight = null;
            }

            lock (_gate)
            {
                if (!_inFlightEvicted && outcome != SendOutcome.Failed)
                {
                    _buffer.Dequeue(); // still the head: only Enqueue touches the buffer besides us
                    _bufferedBytes -= head.Json.Length;
                }
                var result = outcome switch
                {
                    SendOutcome.Sent => PushMetrics.Sent,
                    SendOutcome.Rejected => PushMetrics.Rejected,
                    _ => _inFlightEvicted ? PushMetrics.Dropped : null,
                };
                if (result is not null) _metrics.Count(Label, result);
                if (outcome == SendOutcome.Sent) _metrics.CountSentBytes(Label, head.BodyLength);
                _metrics.SetBuffered(Label, _buffer.Count, _bufferedBytes);
            }
            if (outcome == SendOutcome.Failed) return false;
        }
    }

    /// <summary>Stops the worker; what is still buffered is counted as dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _worker.ConfigureAwait(false);
        _stop.Dispose();
        _wake.Dispose();
    }

    /// <summary>Counts what is left as dropped (the target is gone for good) and returns how many.</summary>
    public int DropAll()
    {
        lock (_gate)
        {
            var count = _buffer.Count;
            for (var i = 0; i < count; i++) _metrics.Count(Label, PushMetrics.Dropped);
            _buffer.Clear();
            _bufferedBytes = 0;
            _metrics.SetBuffered(Label, 0, 0);
            return count;
        }
    }
}

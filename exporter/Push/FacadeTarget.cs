using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Push;

/// <summary>
/// One configured facade URL and the endpoints it stands for. An IP literal or <c>localhost</c>
/// is one endpoint. Any other name is resolved every round and each address gets its own
/// endpoint (requests go to the address and carry the name as Host), so every pod behind a
/// headless Service gets the full stream. An address that stops resolving (a facade pod not
/// ready, e.g. restarting) keeps its buffer and keeps receiving batches for the buffer
/// duration, so it is replayed if it comes back; after that it is removed and its backlog
/// counted as dropped.
/// </summary>
internal sealed class FacadeTarget : IAsyncDisposable
{
    private readonly Uri _url;
    private readonly bool _resolve;
    private readonly PushOptions _options;
    private readonly PushMetrics _metrics;
    private readonly IFacadeResolver _resolver;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<FacadeEndpoint, PendingBatch, CancellationToken, Task<SendOutcome>> _send;
    private readonly Dictionary<string, FacadeEndpoint> _endpoints = new(StringComparer.Ordinal);
    private bool _resolveFailing;

    public FacadeTarget(
        Uri url,
        PushOptions options,
        PushMetrics metrics,
        IFacadeResolver resolver,
        TimeProvider time,
        ILogger logger,
        Func<FacadeEndpoint, PendingBatch, CancellationToken, Task<SendOutcome>> send)
    {
        _url = url;
        _options = options;
        _metrics = metrics;
        _resolver = resolver;
        _time = time;
        _logger = logger;
        _send = send;
        _resolve = url.HostNameType == UriHostNameType.Dns && !string.Equals(url.Host, "localhost", StringComparison.OrdinalIgnoreCase);
        if (!_resolve)
        {
            // The OS connects; localhost's 127.0.0.1 and ::1 are the same facade, not two.
            Add(url.Host, Label, url, hostHeader: null);
        }
    }

    /// <summary>The configured authority, the <c>target</c> label of a directly addressed facade.</summary>
    public string Label => _url.Authority;

    public IReadOnlyCollection<FacadeEndpoint> Endpoints => _endpoints.Values;

    /// <summary>Re-resolves the name (bounded by the attempt timeout). A failed lookup keeps the endpoints it had.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (!_resolve) return;
        IPAddress[] addresses;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(_options.AttemptTimeout);
            try
            {
                addresses = await _resolver.ResolveAsync(_url.Host, timeout.Token).ConfigureAwait(false);
                if (_resolveFailing)
                {
                    _resolveFailing = false;
                    _logger.LogInformation("Facade name {Host} resolves again", _url.Host);
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (!_resolveFailing)
                {
                    _resolveFailing = true;
                    _logger.LogWarning("Cannot resolve facade name {Host} ({Reason}); pushing to the {Count} addresses known before", _url.Host, e.Message, _endpoints.Count);
                }
                addresses = [];
            }
        }

        var now = _time.GetUtcNow();
        foreach (var address in addresses)
        {
            var key = address.ToString();
            if (!_endpoints.TryGetValue(key, out var endpoint))
            {
                var baseAddress = new UriBuilder(_url) { Host = key }.Uri;
                endpoint = Add(key, string.Create(CultureInfo.InvariantCulture, $"{_url.Authority}@{key}"), baseAddress, _url.Authority);
                _logger.LogInformation("Facade {Host} has address {Address}; pushing to it too", _url.Host, key);
            }
            endpoint.LastSeen = now;
        }

        foreach (var (key, endpoint) in _endpoints.ToArray())
        {
            if (now - endpoint.LastSeen <= _options.BufferDuration) continue;
            _endpoints.Remove(key);
            await endpoint.DisposeAsync().ConfigureAwait(false);
            var dropped = endpoint.DropAll();
            _metrics.Forget(endpoint.Label);
            _logger.LogWarning("Facade address {Target} has not resolved for {Duration}; removed it and dropped its {Dropped} buffered batches", endpoint.Label, _options.BufferDuration, dropped);
        }
    }

    /// <summary>Hands the batch to every endpoint's buffer; returns at once.</summary>
    public void Enqueue(PendingBatch batch)
    {
        if (_endpoints.Count == 0)
        {
            // A name that never resolved has nowhere to buffer per address.
            _metrics.Count(Label, PushMetrics.Dropped);
            return;
        }
        foreach (var endpoint in _endpoints.Values) endpoint.Enqueue(batch);
    }

    private FacadeEndpoint Add(string key, string label, Uri baseAddress, string? hostHeader)
    {
        var endpoint = new FacadeEndpoint(label, baseAddress, hostHeader, _options.BufferCapacity, _options.BufferBytes, _options.Interval, _metrics, _send)
        {
            LastSeen = _time.GetUtcNow(),
        };
        _endpoints.Add(key, endpoint);
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var endpoint in _endpoints.Values) await endpoint.DisposeAsync().ConfigureAwait(false);
        _endpoints.Clear();
    }
}

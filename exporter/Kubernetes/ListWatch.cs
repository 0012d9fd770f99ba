using System.Net;
using System.Net.Http;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>
/// Keeps one <see cref="IListWatchTarget{T}"/> in step with the API server. KubernetesClient has no
/// informer, so this is one: list (with the target's field selector), then watch from the list's
/// resourceVersion, applying ADDED, MODIFIED, DELETED and BOOKMARK. A 410 Gone (an ERROR event or
/// the answer to the watch request) means that version is no longer served: list again. When the
/// API server is away the target keeps what it knows, and the loop retries with exponential
/// back-off and jitter, resuming the watch where it stopped.
/// </summary>
public sealed class ListWatch<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IListWatchTarget<T> _target;
    private readonly ILogger _logger;
    private readonly ListWatchOptions _options;
    private readonly TimeProvider _time;

    private volatile string? _resourceVersion;
    private bool _mustList = true;
    private bool _listFresh;
    private int _failures;
    private bool _unreachable;

    public ListWatch(IListWatchTarget<T> target, ILogger logger, ListWatchOptions? options = null, TimeProvider? time = null)
    {
        _target = target;
        _logger = logger;
        _options = options ?? new ListWatchOptions();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How many attempts in a row have failed (0 while the API server answers).</summary>
    public int ConsecutiveFailures => Volatile.Read(ref _failures);

    /// <summary>The version the next watch resumes from; null before a list or right after a 410.</summary>
    public string? ResourceVersion => _resourceVersion;

    /// <summary>Runs until <paramref name="stoppingToken"/> is cancelled; never throws for API trouble.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_mustList) await ListAsync(stoppingToken).ConfigureAwait(false);
                await WatchAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Gone)
            {
                ListWatchLog.Relist(_logger, _target.Kind, _resourceVersion);
                RelistFresh();
                // A 410 right at the start of a watch is normal once; in a row it is a failing server.
                if (++_failures > 1) await BackOffAsync(stoppingToken).ConfigureAwait(false);
                continue;
            }
            catch (Exception e) when (IsApiTrouble(e))
            {
                Fail(e);
                await BackOffAsync(stoppingToken).ConfigureAwait(false);
                continue;
            }
        }
    }

    private async Task ListAsync(CancellationToken stoppingToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        attempt.CancelAfter(_options.ListTimeout);
        var list = await _target.ListAsync(fromCache: !_listFresh, attempt.Token).ConfigureAwait(false);

        _target.ReplaceAll(list.Items);
        _resourceVersion = list.ResourceVersion;
        _mustList = false;
        _listFresh = false;
        Reached();
        ListWatchLog.Listed(_logger, list.Items.Count, _target.Kind, _target.FieldSelector, _resourceVersion ?? "(none)");
        if (string.IsNullOrEmpty(_resourceVersion)) ListWatchLog.NoResourceVersion(_logger, _target.Kind);
    }

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        var timeout = _options.MinWatchDuration * (1 + Random.Shared.NextDouble());
        var timeoutSeconds = Math.Max(1, (int)timeout.TotalSeconds);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        // The server ends the watch after timeoutSeconds; a connection that silently died would
        // otherwise keep this read waiting for ever.
        attempt.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds) + _options.WatchGrace);

        var from = _resourceVersion;
        var started = _time.GetTimestamp();
        using var watch = await _target.OpenWatchAsync(from, timeoutSeconds, attempt.Token).ConfigureAwait(false);
        Reached();
        ListWatchLog.Watching(_logger, _target.Kind, from ?? "(now)");

        var events = 0;
        await foreach (var change in watch.ReadEventsAsync(attempt.Token).ConfigureAwait(false))
        {
            if (change.Type == WatchEventType.Error)
            {
                if (change.Status?.Code == (int)HttpStatusCode.Gone)
                {
                    ListWatchLog.Relist(_logger, _target.Kind, _resourceVersion);
                    RelistFresh();
                    if (events == 0 && ++_failures > 1) await BackOffAsync(stoppingToken).ConfigureAwait(false);
                    return;
                }
                throw new KubernetesException(change.Status ?? new V1Status { Message = "watch ERROR event without a Status" });
            }
            Apply(change);
            events++;
            _failures = 0;
        }

        // The server closed the stream (its timeoutSeconds, or a restart): resume from where we are.
        ListWatchLog.WatchEnded(_logger, events, _resourceVersion ?? "(now)");
        // Streams that keep ending at once (empty, or after a bookmark) must not become a busy loop.
        if (events == 0)
        {
            _failures++;
            await BackOffAsync(stoppingToken).ConfigureAwait(false);
        }
        else if (_time.GetElapsedTime(started) < _options.ShortWatch)
        {
            await DelayAsync(_options.Backoff.Delay(1), stoppingToken).ConfigureAwait(false);
        }
    }

    private void Apply(WatchEvent<T> change)
    {
        var item = change.Item;
        if (item?.Metadata?.ResourceVersion is { Length: > 0 } version) _resourceVersion = version;
        if (item is null || change.Type == WatchEventType.Bookmark) return;
        _target.Apply(change.Type, item);
        ListWatchLog.Applied(_logger, _target.Kind, change.Type, item.Metadata?.NamespaceProperty, item.Metadata?.Name);
    }

    private void RelistFresh()
    {
        _mustList = true;
        _listFresh = true;
        _resourceVersion = null;
    }

    private void Fail(Exception e)
    {
        _failures++;
        // Could not connect (or the connection broke): the watch can resume from its
        // resourceVersion. Anything the server said (an error status, a stream we could not read)
        // is safer answered with a fresh list.
        var connectionOnly = e is HttpRequestException { StatusCode: null } or IOException or OperationCanceledException;
        if (!connectionOnly || string.IsNullOrEmpty(_resourceVersion)) _mustList = true;

        if (!_unreachable)
        {
            _unreachable = true;
            ListWatchLog.Unreachable(_logger, Describe(e), _target.Kind);
        }
        else
        {
            ListWatchLog.StillUnreachable(_logger, _target.Kind, _failures, Describe(e));
        }
    }

    private void Reached()
    {
        if (!_unreachable) return;
        _unreachable = false;
        ListWatchLog.BackAgain(_logger, _target.Kind, _failures);
    }

    private Task BackOffAsync(CancellationToken stoppingToken) =>
        DelayAsync(_options.Backoff.Delay(Math.Max(1, _failures)), stoppingToken);

    private async Task DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        ListWatchLog.Retrying(_logger, _target.Kind, delay.TotalSeconds);
        try
        {
            await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: RunAsync's loop ends.
        }
    }

    private static string Describe(Exception e) => e switch
    {
        HttpOperationException { Response: { } response } => $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}",
        KubernetesException { Status: { } status } => $"watch ERROR {status.Code} {status.Reason}: {status.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    /// <summary>Everything the API server, the network or a bad stream can cause; not bugs here.</summary>
    private static bool IsApiTrouble(Exception e) =>
        e is HttpRequestException or HttpOperationException or IOException or OperationCanceledException
            or KubernetesException or FormatException or System.Text.Json.JsonException;
}

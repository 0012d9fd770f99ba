using System.Net;
using System.Net.Http;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>Timing of the watcher; the defaults suit production, tests shorten them.</summary>
public sealed record PodWatchOptions
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

/// <summary>
/// Keeps <see cref="PodMetadataCache"/> in step with the pods of one node. KubernetesClient has no
/// informer, so this is one: list (fieldSelector spec.nodeName=&lt;node&gt;), then watch from the list's
/// resourceVersion, applying ADDED, MODIFIED, DELETED and BOOKMARK. A 410 Gone (an ERROR event or
/// the answer to the watch request) means that version is no longer served: list again. When the
/// API server is away the last known metadata stays in use, and the watcher retries with
/// exponential back-off and jitter, resuming the watch where it stopped.
/// </summary>
public sealed partial class PodMetadataWatcher
{
    private readonly KubernetesPodApi _api;
    private readonly PodMetadataCache _cache;
    private readonly ILogger _logger;
    private readonly PodWatchOptions _options;
    private readonly TimeProvider _time;
    private readonly string _fieldSelector;

    private volatile string? _resourceVersion;
    private bool _mustList = true;
    private bool _listFresh;
    private int _failures;
    private bool _unreachable;

    public PodMetadataWatcher(KubernetesPodApi api, PodMetadataCache cache, string nodeName, ILogger logger,
        PodWatchOptions? options = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeName);
        _api = api;
        _cache = cache;
        _logger = logger;
        _options = options ?? new PodWatchOptions();
        _time = time ?? TimeProvider.System;
        _fieldSelector = "spec.nodeName=" + nodeName;
    }

    /// <summary>
    /// The watcher for <paramref name="connection"/>, or null (logged once) when there is no API to
    /// watch and pods go without metadata.
    /// </summary>
    public static PodMetadataWatcher? Create(KubernetesConnection connection, PodMetadataCache cache, string nodeName,
        ILogger logger, PodWatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.Configuration is null)
        {
            logger.LogWarning("Kubernetes metadata off: {Reason}", connection.Description);
            return null;
        }
        logger.LogInformation("Kubernetes metadata for node {Node}: {Source}", nodeName, connection.Description);
        return new PodMetadataWatcher(new KubernetesPodApi(connection.Configuration), cache, nodeName, logger, options);
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
                LogRelist(_logger, _resourceVersion);
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
        var list = await _api.ListPodsAsync(_fieldSelector, fromCache: !_listFresh, attempt.Token).ConfigureAwait(false);

        var pods = new List<KeyValuePair<string, Collection.PodMetadata>>(list.Items?.Count ?? 0);
        foreach (var pod in list.Items ?? [])
        {
            if (PodMetadataMapper.CgroupUid(pod) is { } uid && PodMetadataMapper.ToMetadata(pod) is { } metadata)
                pods.Add(new(uid, metadata));
        }
        _cache.ReplaceAll(pods);
        _resourceVersion = list.Metadata?.ResourceVersion;
        _mustList = false;
        _listFresh = false;
        Reached();
        LogListed(_logger, pods.Count, _fieldSelector, _resourceVersion ?? "(none)");
        if (string.IsNullOrEmpty(_resourceVersion)) LogNoResourceVersion(_logger);
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
        using var watch = await _api.OpenWatchAsync(_fieldSelector, from, timeoutSeconds, attempt.Token).ConfigureAwait(false);
        Reached();
        LogWatching(_logger, from ?? "(now)");

        var events = 0;
        await foreach (var change in watch.ReadEventsAsync(attempt.Token).ConfigureAwait(false))
        {
            if (change.Type == WatchEventType.Error)
            {
                if (change.Status?.Code == (int)HttpStatusCode.Gone)
                {
                    LogRelist(_logger, _resourceVersion);
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
        LogWatchEnded(_logger, events, _resourceVersion ?? "(now)");
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

    private void Apply(PodWatchEvent change)
    {
        var pod = change.Pod;
        if (pod?.Metadata?.ResourceVersion is { Length: > 0 } version) _resourceVersion = version;
        if (pod is null || change.Type == WatchEventType.Bookmark) return;
        if (PodMetadataMapper.CgroupUid(pod) is not { } uid) return;

        if (change.Type == WatchEventType.Deleted)
        {
            _cache.Remove(uid);
        }
        else if (PodMetadataMapper.ToMetadata(pod) is { } metadata)
        {
            _cache.Set(uid, metadata);
        }
        LogApplied(_logger, change.Type, pod.Metadata?.NamespaceProperty, pod.Metadata?.Name);
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
            LogUnreachable(_logger, _cache.Count, Describe(e));
        }
        else
        {
            LogStillUnreachable(_logger, _failures, Describe(e));
        }
    }

    private void Reached()
    {
        if (!_unreachable) return;
        _unreachable = false;
        LogBackAgain(_logger, _failures);
    }

    private Task BackOffAsync(CancellationToken stoppingToken) =>
        DelayAsync(_options.Backoff.Delay(Math.Max(1, _failures)), stoppingToken);

    private async Task DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        LogRetrying(_logger, delay.TotalSeconds);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Listed {Count} pods ({Selector}) at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, int count, string selector, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The pod list carried no resourceVersion: watching from the current state")]
    private static partial void LogNoResourceVersion(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Watching pods from resourceVersion {ResourceVersion}")]
    private static partial void LogWatching(ILogger logger, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch ended after {Events} events; watch restarted from resourceVersion {ResourceVersion}")]
    private static partial void LogWatchEnded(ILogger logger, int events, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pod {Type}: {Namespace}/{Name}")]
    private static partial void LogApplied(ILogger logger, WatchEventType type, string? @namespace, string? name);

    [LoggerMessage(Level = LogLevel.Information, Message = "410 Gone: resourceVersion {ResourceVersion} expired; relist")]
    private static partial void LogRelist(ILogger logger, string? resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kubernetes API unreachable ({Problem}); keeping the metadata of {Count} pods meanwhile")]
    private static partial void LogUnreachable(ILogger logger, int count, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kubernetes API still unreachable after {Failures} attempts ({Problem})")]
    private static partial void LogStillUnreachable(ILogger logger, int failures, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Next attempt in {Seconds:F1} s")]
    private static partial void LogRetrying(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kubernetes API back again after {Failures} failed attempts")]
    private static partial void LogBackAgain(ILogger logger, int failures);
}

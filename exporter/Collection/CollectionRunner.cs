using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Collection;

/// <summary>How one collector did in one collection.</summary>
/// <param name="Error">The failure's message; null on success.</param>
public sealed record CollectorResult(string Name, TimeSpan Duration, bool Success, string? Error);

/// <summary>One collection: the snapshot and how each collector did, in the collectors' order.</summary>
public sealed record CollectionResult(NodeSnapshot Snapshot, IReadOnlyList<CollectorResult> Collectors)
{
    /// <summary>Counts up with each run of one runner, so a late publish of an older run can be told apart.</summary>
    public long Sequence { get; init; }
}

/// <summary>
/// Runs every collector into a fresh <see cref="NodeSnapshot"/>, then the post-processors
/// (e.g. the Kubernetes metadata join). A collector that throws reports success 0 and the
/// others still run. Runs are serialized: a scrape can arrive while the push loop collects,
/// and collectors and post-processors need not be thread-safe.
/// </summary>
public sealed class CollectionRunner
{
    // Distinct failure messages are remembered (up to this many) so a broken file that fails
    // every interval logs one warning, not one per scrape.
    private const int MaxRememberedFailures = 256;

    private readonly string _nodeName;
    private readonly IReadOnlyList<ICollector> _collectors;
    private readonly IReadOnlyList<Action<NodeSnapshot>> _postProcessors;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _loggedFailures = new(StringComparer.Ordinal);
    private CollectionResult? _last;
    private long _sequence;

    public CollectionRunner(
        string nodeName,
        IEnumerable<ICollector> collectors,
        TimeProvider time,
        ILogger<CollectionRunner> logger,
        IEnumerable<Action<NodeSnapshot>>? postProcessors = null)
    {
        _nodeName = nodeName;
        _collectors = [.. collectors];
        _postProcessors = [.. postProcessors ?? []];
        _time = time;
        _logger = logger;
        var duplicate = _collectors.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two collectors are named '{duplicate.Key}'.", nameof(collectors));
        }
    }

    public IReadOnlyList<string> CollectorNames => [.. _collectors.Select(c => c.Name)];

    /// <summary>The newest finished collection; null until one has run (readiness).</summary>
    public CollectionResult? Last => Volatile.Read(ref _last);

    public CollectionResult Collect()
    {
        lock (_gate)
        {
            var snapshot = new NodeSnapshot { NodeName = _nodeName, Timestamp = _time.GetUtcNow() };
            var results = new List<CollectorResult>(_collectors.Count);
            foreach (var collector in _collectors)
            {
                results.Add(Run(collector, snapshot));
            }
            foreach (var error in snapshot.ReadErrors)
            {
                LogReadErrorOnce(error);
            }
            foreach (var postProcess in _postProcessors)
            {
                try
                {
                    postProcess(snapshot);
                }
                catch (Exception e)
                {
                    // A post-processor only adds to the snapshot; the collected numbers stay served.
                    LogFailureOnce("post-processing", e);
                }
            }
            var result = new CollectionResult(snapshot, results) { Sequence = ++_sequence };
            Volatile.Write(ref _last, result);
            return result;
        }
    }

    private CollectorResult Run(ICollector collector, NodeSnapshot snapshot)
    {
        var started = _time.GetTimestamp();
        try
        {
            collector.Collect(snapshot);
            return new CollectorResult(collector.Name, _time.GetElapsedTime(started), Success: true, Error: null);
        }
        catch (Exception e)
        {
            var duration = _time.GetElapsedTime(started);
            LogFailureOnce(collector.Name, e);
            return new CollectorResult(collector.Name, duration, Success: false, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Once per file name and reason: the same bad file in every pod is one warning.</summary>
    private void LogReadErrorOnce(ReadError error)
    {
        if (FirstTime($"read\0{error.File}\0{error.Reason}"))
        {
            _logger.LogWarning("Cannot use {Path}: {Reason}; its values are left out (logged once; counted in kubemonitor_exporter_read_errors_total)", error.Path, error.Reason);
        }
        else
        {
            _logger.LogDebug("Cannot use {Path}: {Reason}", error.Path, error.Reason);
        }
    }

    private bool FirstTime(string key)
    {
        if (_loggedFailures.Count >= MaxRememberedFailures)
        {
            _loggedFailures.Clear(); // failures whose message varies: warn again rather than grow
        }
        return _loggedFailures.Add(key);
    }

    private void LogFailureOnce(string source, Exception e)
    {
        if (FirstTime($"{source}\0{e.GetType().FullName}\0{e.Message}"))
        {
            _logger.LogWarning(e, "Collector {Collector} failed: {Error} (logged once; its success gauge stays 0 while it fails)", source, e.Message);
        }
        else
        {
            _logger.LogDebug("Collector {Collector} failed again: {Error}", source, e.Message);
        }
    }
}

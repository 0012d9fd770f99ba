using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade;

/// <summary>The facade's settings, section <c>Facade</c> (appsettings, <c>Facade__Retention</c>, <c>--Facade:Retention</c>).</summary>
public sealed class FacadeOptions
{
    public const string Section = "Facade";

    /// <summary>Where the REST API reads samples (docs/api.md section 8): the embedded store fed by pushes, or a Prometheus-compatible server.</summary>
    public QuerySource Source { get; set; } = QuerySource.Memory;

    /// <summary>How long the embedded store keeps samples; also its largest <c>?window=</c>.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An entity whose newest sample is older than this leaves the lists and is freed.</summary>
    public TimeSpan Staleness { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most series (nodes + pods + containers) held; a push that would pass it is a 429.</summary>
    public int MaxSeries { get; set; } = 2_000_000;

    /// <summary>
    /// Most series one node may hold: its own, its pods' and their containers' (pods pushed without
    /// a node share one more such quota). Sized for 250 pods (Kubernetes allows 110 per node by
    /// default) with up to 7 containers each: 1 + 250 x 8 = 2001.
    /// </summary>
    public int MaxSeriesPerNode { get; set; } = 2001;

    /// <summary><c>?step=</c> when absent (capped to the window).</summary>
    public int DefaultStepSeconds { get; set; } = 5;

    /// <summary>
    /// Heavy reads (whole lists, rollups, <c>?window=</c>) served at once; beyond it a 429 with
    /// <c>Retry-After</c>. Pushes, health and single latest views are never limited.
    /// </summary>
    public int MaxConcurrentReads { get; set; } = 8;

    /// <summary>Largest push body; beyond it a 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>How far ahead of the facade's clock a sample may be before it is a 400.</summary>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// When set, pushes are taken only on connections to this local port (the facade must also
    /// listen on it, <c>--urls</c>), so that a NetworkPolicy can admit it from exporter pods only.
    /// Off when absent: pushes and reads share every port.
    /// </summary>
    public int? PushPort { get; set; }

    /// <summary>How often the sweep drops expired samples and frees stale entities.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Where the embedded store keeps its window on disk (a write-ahead log and checkpoints), so a
    /// restart loses nothing it acknowledged. Off when absent: the window lives in memory only.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// How often the window is checkpointed and the log cut behind it: bounds the log on disk and
    /// the replay at start (docs/operations.md, "Data on disk"). A minute keeps a start after a
    /// kill under 30 s at 150,000 pods (docs/benchmarks.md, "Data on disk").
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A checkpoint also starts, before its interval is up, once the log since the last one holds
    /// this many samples (a node's, or a pod's with its containers): pushes that come faster than
    /// the cluster makes them, as exporters replaying an outage, then leave no longer a log to
    /// replay. Two million is about a minute at 150,000 pods, and 13 s of replay at start.
    /// </summary>
    public long CheckpointLogSamples { get; set; } = 2_000_000;

    /// <summary>
    /// When the log is synced to disk: every <see cref="WalSyncInterval"/> (the default, as
    /// Prometheus, which never syncs per write), or before each push is answered. docs/benchmarks.md
    /// ("Data on disk") measures the second at 42 % of ingest CPU and half the ingest rate.
    /// </summary>
    public WalSyncPolicy WalSync { get; set; } = WalSyncPolicy.Periodic;

    /// <summary>With <see cref="WalSyncPolicy.Periodic"/>, how often the log is synced.</summary>
    public TimeSpan WalSyncInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>The values of <c>Facade:WalSync</c>: what a push's 202 promises beyond a killed process (which loses nothing either way).</summary>
public enum WalSyncPolicy
{
    /// <summary>fsync before the 202 (pushes waiting together share one): a power loss loses no acknowledged push.</summary>
    Always,

    /// <summary>fsync every <c>WalSyncInterval</c> (as Prometheus, which syncs when a segment closes): a power loss may lose that much.</summary>
    Periodic,
}

/// <summary>The values of <c>Facade:Source</c>.</summary>
public enum QuerySource
{
    /// <summary>The embedded store, fed by the exporters' pushes.</summary>
    Memory,

    /// <summary>A Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics) that scrapes the exporters.</summary>
    Prometheus,
}

/// <summary>Refuses to start with settings that make no sense, instead of failing at the first request.</summary>
internal sealed class FacadeOptionsValidator : IValidateOptions<FacadeOptions>
{
    // A push is read whole into one array.
    private const long MaxBodyBytesLimit = 1L << 30;

    public ValidateOptionsResult Validate(string? name, FacadeOptions options)
    {
        var errors = new List<string>();
        if (options.Retention < TimeSpan.FromSeconds(1)) errors.Add("Facade:Retention must be at least 1 second.");
        if (options.Staleness <= TimeSpan.Zero) errors.Add("Facade:Staleness must be positive.");
        if (options.MaxSeries < 1) errors.Add("Facade:MaxSeries must be at least 1.");
        if (options.MaxSeriesPerNode < 1) errors.Add("Facade:MaxSeriesPerNode must be at least 1.");
        if (options.MaxConcurrentReads < 1) errors.Add("Facade:MaxConcurrentReads must be at least 1.");
        if (options.DefaultStepSeconds < 1) errors.Add("Facade:DefaultStepSeconds must be at least 1.");
        if (options.MaxRequestBodyBytes is < 1024 or > MaxBodyBytesLimit) errors.Add("Facade:MaxRequestBodyBytes must be from 1024 to 1073741824 (1 GiB).");
        if (options.MaxFutureSkew < TimeSpan.Zero) errors.Add("Facade:MaxFutureSkew must not be negative.");
        if (options.PushPort is < 1 or > 65535) errors.Add("Facade:PushPort must be a TCP port (1 to 65535).");
        if (options.SweepInterval <= TimeSpan.Zero) errors.Add("Facade:SweepInterval must be positive.");
        if (options.DataDirectory is { } data && (data.Length == 0 || !Path.IsPathFullyQualified(data))) errors.Add("Facade:DataDirectory must be an absolute path.");
        if (options.CheckpointInterval < TimeSpan.FromSeconds(1)) errors.Add("Facade:CheckpointInterval must be at least 1 second.");
        if (options.CheckpointLogSamples < 1) errors.Add("Facade:CheckpointLogSamples must be at least 1.");
        if (options.WalSyncInterval <= TimeSpan.Zero) errors.Add("Facade:WalSyncInterval must be positive.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

namespace KubeMonitor.Exporter.Push;

/// <summary>
/// How the exporter pushes to the facade. Every facade URL gets the full stream of batches; a
/// URL whose host is a DNS name (other than <c>localhost</c>) is resolved every round and each
/// address it yields is pushed to separately, so a headless Service reaches every facade pod.
/// </summary>
public sealed record PushOptions
{
    /// <summary>Base URLs of the facades (<c>http://facade:8080</c>); the batch goes to <c>{url}/api/nodes/{node}/batch</c>.</summary>
    public required IReadOnlyList<Uri> FacadeUrls { get; init; }

    /// <summary>A file holding the bearer token (a mounted Secret or projected token); re-read when it changes. Null: no credential.</summary>
    public string? BearerTokenFile { get; init; }

    /// <summary>The collection interval: one batch per interval.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How much of the stream each target keeps while its facade is unreachable.</summary>
    public TimeSpan BufferDuration { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How many bytes of batches (their JSON) each target keeps at most; past it, as past
    /// <see cref="BufferDuration"/>, the oldest are dropped. The newest batch is kept even if it
    /// alone is larger.
    /// </summary>
    public long BufferBytes { get; init; } = DefaultBufferBytes;

    /// <summary>
    /// Measured (docs/benchmarks.md, push): 76.5 MiB RSS steady, 98.4 MiB with 180 batches of
    /// 58 KB (10 MiB) buffered, so about 2.2 bytes of RSS per buffered byte; a full 16 MiB
    /// backlog then ends near 112 MiB, inside the DaemonSet's 128Mi memory limit.
    /// </summary>
    public const long DefaultBufferBytes = 16L << 20;

    /// <summary>One try of one request.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>One batch to one target, all retries included; after it the batch waits for the next round.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries after the first try, within <see cref="TotalTimeout"/>.</summary>
    public int MaxRetryAttempts { get; init; } = 3;

    /// <summary>First back-off delay; it doubles each retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long an opened circuit fails fast before one trial request.</summary>
    public TimeSpan CircuitBreakDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Batches each target buffers: <see cref="BufferDuration"/> / <see cref="Interval"/>, at least 1.</summary>
    public int BufferCapacity => Math.Max(1, (int)Math.Ceiling(BufferDuration / Interval));

    /// <exception cref="ArgumentException">An option out of range.</exception>
    public void Validate()
    {
        if (FacadeUrls.Count == 0) throw new ArgumentException("At least one facade URL is needed.");
        foreach (var url in FacadeUrls)
        {
            if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"Facade URL '{url}' must be an absolute http or https URL.");
            }
        }
        Positive(Interval, "push interval");
        Positive(BufferDuration, "buffer duration");
        if (BufferBytes <= 0) throw new ArgumentException("The buffer's byte bound must be positive.");
        Positive(AttemptTimeout, "attempt timeout");
        Positive(RetryBaseDelay, "retry delay");
        Positive(CircuitBreakDuration, "circuit break duration");
        if (TotalTimeout < AttemptTimeout) throw new ArgumentException("The total timeout must be at least the attempt timeout.");
        if (MaxRetryAttempts < 0) throw new ArgumentException("Retry attempts cannot be negative.");
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero) throw new ArgumentException($"The {name} must be positive.");
    }
}

namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>
/// Delays between attempts to reach the API server: doubling from <paramref name="initial"/> up to
/// <paramref name="max"/>, each drawn in [half, whole] of that step ("equal jitter") so that the
/// exporters of every node, cut off together, do not all come back in the same instant.
/// </summary>
public sealed class ExponentialBackoff(TimeSpan initial, TimeSpan max, Random random)
{
    public static ExponentialBackoff Default() => new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), Random.Shared);

    public TimeSpan Initial => initial;
    public TimeSpan Max => max;

    /// <summary>The upper bound of the delay after <paramref name="failures"/> failures in a row (1 or more).</summary>
    public TimeSpan Ceiling(int failures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        // 2^30 times any initial delay is far past any sensible cap; stop doubling there.
        var factor = Math.Pow(2, Math.Min(failures - 1, 30));
        var ticks = Math.Min(initial.Ticks * factor, max.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    public TimeSpan Delay(int failures)
    {
        var ceiling = Ceiling(failures);
        return ceiling / 2 + ceiling / 2 * random.NextDouble();
    }
}

namespace KubeMonitor.EndToEnd.Tests.Support;

/// <summary>Where in the second a periodic event happens (milliseconds after the second), from the times it happened.</summary>
internal static class SecondPhase
{
    private const long Second = 1000;

    /// <summary>The median moment of the second of these Unix-ms times (wrapping around the second as a circle does).</summary>
    public static long Of(IReadOnlyList<long> unixMs)
    {
        if (unixMs.Count == 0) throw new ArgumentException("No times to take a phase of.", nameof(unixMs));
        var first = Mod(unixMs[0]);
        // Offsets from the first in [-500, 500): 990 and 10 ms are 20 ms apart, not 980.
        var offsets = unixMs.Select(t => Mod(Mod(t) - first + Second / 2) - Second / 2).Order().ToList();
        return Mod(first + offsets[offsets.Count / 2]);
    }

    /// <summary>How far apart two moments of the second are, the shorter way round (0 to 500 ms).</summary>
    public static long Distance(long a, long b)
    {
        var d = Mod(a - b);
        return Math.Min(d, Second - d);
    }

    private static long Mod(long ms) => ((ms % Second) + Second) % Second;
}

namespace KubeMonitor.Exporter.Parsers;

/// <summary>The cumulative stall totals of a PSI file, in microseconds; null when its line is absent.</summary>
/// <param name="SomeTotalMicroseconds">"some": at least one task stalled.</param>
/// <param name="FullTotalMicroseconds">"full": every non-idle task stalled at once.</param>
public sealed record PressureTotals(ulong? SomeTotalMicroseconds, ulong? FullTotalMicroseconds);

/// <summary>
/// PSI files (<c>cpu.pressure</c>, <c>memory.pressure</c>, <c>io.pressure</c>):
/// "some avg10=0.00 avg60=0.00 avg300=0.00 total=N" and an optional "full ..." line (cpu has it
/// only since 5.13). total is in microseconds; only the totals are cumulative, so only they are kept.
/// </summary>
public static class PressureParser
{
    private const string File = "pressure";

    /// <exception cref="FormatException">No some/full line, an unknown line, or a missing or non-numeric total.</exception>
    public static PressureTotals Parse(string text)
    {
        ulong? some = null, full = null;
        foreach (var line in text.Split('\n'))
        {
            var tokens = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0) continue;
            var total = Total(tokens, line);
            switch (tokens[0])
            {
                case "some": some = total; break;
                case "full": full = total; break;
                default: throw new FormatException($"{File}: unknown line '{line}'.");
            }
        }
        return some is null && full is null
            ? throw new FormatException($"{File}: neither a 'some' nor a 'full' line.")
            : new PressureTotals(some, full);
    }

    private static ulong Total(string[] tokens, string line)
    {
        foreach (var token in tokens.AsSpan(1))
        {
            if (token.StartsWith("total=", StringComparison.Ordinal))
            {
                return CgroupText.ParseCounter(token["total=".Length..], File, "total");
            }
        }
        throw new FormatException($"{File}: no total in '{line}'.");
    }
}

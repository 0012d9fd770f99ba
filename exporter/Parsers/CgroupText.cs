using System.Globalization;

namespace KubeMonitor.Exporter.Parsers;

/// <summary>
/// The two shapes most cgroup files share: one number ("124659500367000\n") and flat keyed
/// lines ("nr_periods 0\nnr_throttled 0\n"). Values are 64-bit unsigned: blkio bytes, ns
/// counters and the v1 "unlimited" value all exceed 2^53, so they are never read as doubles.
/// </summary>
internal static class CgroupText
{
    /// <exception cref="FormatException">Empty, more than one token, or not a non-negative integer.</exception>
    public static ulong ParseSingleCounter(string text, string file)
    {
        var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length != 1)
        {
            throw new FormatException($"{file}: expected one number, found {tokens.Length} tokens.");
        }
        return ParseCounter(tokens[0], file, "value");
    }

    /// <summary>"key value" lines; blank lines are skipped (some kernels end the file with one).</summary>
    /// <exception cref="FormatException">A line that is not exactly "key number".</exception>
    public static Dictionary<string, ulong> ParseKeyedCounters(string text, string file)
    {
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var tokens = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0) continue;
            if (tokens.Length != 2)
            {
                throw new FormatException($"{file}: malformed line '{line}'.");
            }
            values[tokens[0]] = ParseCounter(tokens[1], file, tokens[0]);
        }
        return values;
    }

    public static ulong ParseCounter(string token, string file, string key) =>
        ulong.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{file}: {key} is not a non-negative integer: '{token}'.");

    public static ulong Required(Dictionary<string, ulong> values, string key, string file) =>
        values.TryGetValue(key, out var value) ? value : throw new FormatException($"{file}: no '{key}' line.");

    public static ulong? Optional(Dictionary<string, ulong> values, string key) =>
        values.TryGetValue(key, out var value) ? value : null;
}

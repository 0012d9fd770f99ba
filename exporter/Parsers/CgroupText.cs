using System.Globalization;

namespace KubeMonitor.Exporter.Parsers;

/// <summary>
/// The two shapes most cgroup files share: one number ("124659500367000\n") and flat keyed
/// lines ("nr_periods 0\nnr_throttled 0\n"). Values are 64-bit unsigned: blkio bytes, ns
/// counters and the v1 "unlimited" value all exceed 2^53, so they are never read as doubles.
/// </summary>
internal static class CgroupText
{
    private static readonly System.Buffers.SearchValues<char> Whitespace = System.Buffers.SearchValues.Create(" \t\n\r\f\v");

    /// <exception cref="FormatException">Empty, more than one token, or not a non-negative integer.</exception>
    public static ulong ParseSingleCounter(string text, string file)
    {
        var token = text.AsSpan().Trim();
        if (token.IsEmpty || token.IndexOfAny(Whitespace) >= 0)
        {
            throw new FormatException($"{file}: expected one number, found {text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length} tokens.");
        }
        return ParseCounter(token, file, "value");
    }

    /// <summary>
    /// "key value" lines; blank lines are skipped (some kernels end the file with one). Read as
    /// spans: a collection parses about 900 of these files, and splitting each into line and token
    /// strings was most of the exporter's garbage.
    /// </summary>
    /// <exception cref="FormatException">A line that is not exactly "key number".</exception>
    public static Dictionary<string, ulong> ParseKeyedCounters(string text, string file)
    {
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf('\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            var fields = line.Trim(' ');
            if (fields.IsEmpty) continue;
            var space = fields.IndexOf(' ');
            var key = space < 0 ? fields : fields[..space];
            var value = space < 0 ? [] : fields[(space + 1)..].TrimStart(' ');
            if (value.IsEmpty || value.Contains(' '))
            {
                throw new FormatException($"{file}: malformed line '{line}'.");
            }
            var name = key.ToString();
            values[name] = ParseCounter(value, file, name);
        }
        return values;
    }

    public static ulong ParseCounter(string token, string file, string key) => ParseCounter(token.AsSpan(), file, key);

    public static ulong ParseCounter(ReadOnlySpan<char> token, string file, string key) =>
        ulong.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{file}: {key} is not a non-negative integer: '{token}'.");

    public static ulong Required(Dictionary<string, ulong> values, string key, string file) =>
        values.TryGetValue(key, out var value) ? value : throw new FormatException($"{file}: no '{key}' line.");

    public static ulong? Optional(Dictionary<string, ulong> values, string key) =>
        values.TryGetValue(key, out var value) ? value : null;
}

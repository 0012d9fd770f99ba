using System.Globalization;

namespace KubeMonitor.Exporter.Parsers;

/// <summary>
/// The lines of /proc/meminfo the exporter uses, in kB as the kernel writes them (its kB is
/// 1024 bytes). Kernels before 3.14 have no MemAvailable; the others are optional too, since a
/// kernel that has MemAvailable needs none of them.
/// </summary>
public sealed record Meminfo(
    ulong MemTotalKb,
    ulong? MemAvailableKb,
    ulong? MemFreeKb,
    ulong? BuffersKb,
    ulong? CachedKb,
    ulong? SReclaimableKb,
    ulong? ShmemKb);

/// <summary>Parses /proc/meminfo ("Key:   value kB" lines).</summary>
public static class MeminfoParser
{
    /// <exception cref="FormatException">No MemTotal line, or a used line that is not numeric or not in kB.</exception>
    public static Meminfo Parse(string text)
    {
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var rawLine in text.Split('\n'))
        {
            var colon = rawLine.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var key = rawLine[..colon];
            if (key is "MemTotal" or "MemAvailable" or "MemFree" or "Buffers" or "Cached" or "SReclaimable" or "Shmem")
            {
                values[key] = ParseKilobytes(key, rawLine.AsSpan(colon + 1));
            }
        }
        return new Meminfo(
            values.TryGetValue("MemTotal", out var total) ? total : throw new FormatException("/proc/meminfo: no MemTotal line."),
            Optional(values, "MemAvailable"),
            Optional(values, "MemFree"),
            Optional(values, "Buffers"),
            Optional(values, "Cached"),
            Optional(values, "SReclaimable"),
            Optional(values, "Shmem"));
    }

    private static ulong ParseKilobytes(string key, ReadOnlySpan<char> value)
    {
        value = value.Trim();
        if (!value.EndsWith(" kB", StringComparison.Ordinal))
        {
            throw new FormatException($"/proc/meminfo: {key} is '{value}', expected a value in kB.");
        }
        var number = value[..^3].TrimEnd();
        return ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var kb)
            ? kb
            : throw new FormatException($"/proc/meminfo: {key} has a non-numeric value '{number}'.");
    }

    private static ulong? Optional(Dictionary<string, ulong> values, string key) =>
        values.TryGetValue(key, out var value) ? value : null;
}

using System.Globalization;
using KubeMonitor.Exporter.Collection;

namespace KubeMonitor.Exporter.Parsers;

/// <summary>
/// Parses /proc/meminfo ("Key:   value kB" lines) into the node's memory total and available
/// bytes. Kernels before 3.14 have no MemAvailable; then available is estimated the way
/// docs/api.md section 5 defines: MemFree + Buffers + Cached + SReclaimable - Shmem.
/// </summary>
public static class MeminfoParser
{
    private const ulong KiB = 1024;

    /// <exception cref="FormatException">A needed line is missing, not numeric, not in kB, or overflows.</exception>
    public static NodeMemory Parse(string text)
    {
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var rawLine in text.Split('\n'))
        {
            var colon = rawLine.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var key = rawLine[..colon];
            if (key is "MemTotal" or "MemAvailable" or "MemFree" or "Buffers" or "Cached" or "SReclaimable" or "Shmem")
            {
                values[key] = ParseKibibytes(key, rawLine.AsSpan(colon + 1));
            }
        }
        var total = Require(values, "MemTotal");
        if (values.TryGetValue("MemAvailable", out var available))
        {
            return new NodeMemory(total, available);
        }
        var estimate = Require(values, "MemFree") + Require(values, "Buffers") + Require(values, "Cached") + Require(values, "SReclaimable");
        var shmem = Require(values, "Shmem");
        // Shmem is inside Cached, so this stays positive on a sane kernel; never wrap below 0.
        return new NodeMemory(total, estimate > shmem ? estimate - shmem : 0);
    }

    private static ulong ParseKibibytes(string key, ReadOnlySpan<char> value)
    {
        value = value.Trim();
        if (!value.EndsWith(" kB", StringComparison.Ordinal))
        {
            throw new FormatException($"/proc/meminfo: {key} is '{value}', expected a value in kB.");
        }
        var number = value[..^3].TrimEnd();
        if (!ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
        {
            throw new FormatException($"/proc/meminfo: {key} has a non-numeric value '{number}'.");
        }
        if (kib > ulong.MaxValue / KiB)
        {
            throw new FormatException($"/proc/meminfo: {key} = {kib} kB does not fit in 64 bits as bytes.");
        }
        return kib * KiB;
    }

    private static ulong Require(Dictionary<string, ulong> values, string key) =>
        values.TryGetValue(key, out var value)
            ? value
            : throw new FormatException($"/proc/meminfo: no {key} line.");
}

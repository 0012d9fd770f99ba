using System.Globalization;

namespace KubeMonitor.Exporter.Parsers;

/// <summary>One /proc/diskstats row: the device and its sector counters (a diskstats sector is 512 bytes).</summary>
public sealed record DiskstatsRow(uint Major, uint Minor, string Device, ulong SectorsRead, ulong SectorsWritten);

/// <summary>
/// Parses /proc/diskstats: "major minor name" then 11 (kernel &lt; 4.18), 15 (4.18+, discard)
/// or 17+ (5.5+, flush) counters. Every row is returned, in file order (partitions, loop and
/// ram devices too, and a name twice if the file says so: major:minor pairs can repeat).
/// </summary>
public static class DiskstatsParser
{
    // Counter columns after the name: reads, reads merged, sectors read, ms reading, writes, writes merged, sectors written, ...
    private const int SectorsRead = 2, SectorsWritten = 6;

    /// <exception cref="FormatException">An empty file, a row with a field count no kernel writes, or a non-numeric field.</exception>
    public static IReadOnlyList<DiskstatsRow> Parse(string text)
    {
        if (text.AsSpan().Trim().IsEmpty)
        {
            throw new FormatException("/proc/diskstats: empty.");
        }
        var rows = new List<DiskstatsRow>();
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0) continue;
            var counters = fields.Length - 3;
            if (counters is not (11 or 15) and < 17)
            {
                throw new FormatException($"/proc/diskstats: '{line.Trim()}' has {Math.Max(counters, 0)} counters, expected 11, 15 or 17+.");
            }
            var major = (uint)ParseNumber(fields[0], line, uint.MaxValue);
            var minor = (uint)ParseNumber(fields[1], line, uint.MaxValue);
            var values = new ulong[counters];
            for (var i = 0; i < counters; i++)
            {
                values[i] = ParseNumber(fields[i + 3], line, ulong.MaxValue);
            }
            rows.Add(new DiskstatsRow(major, minor, fields[2], values[SectorsRead], values[SectorsWritten]));
        }
        return rows;
    }

    private static ulong ParseNumber(string field, string line, ulong max) =>
        ulong.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= max
            ? value
            : throw new FormatException($"/proc/diskstats: non-numeric field '{field}' in '{line.Trim()}'.");
}

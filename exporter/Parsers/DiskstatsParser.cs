using System.Globalization;
using System.Text.RegularExpressions;
using KubeMonitor.Exporter.Collection;

namespace KubeMonitor.Exporter.Parsers;

/// <summary>
/// Parses /proc/diskstats: "major minor name" then 11 (kernel &lt; 4.18), 15 (4.18+, discard)
/// or 17+ (5.5+, flush) counters. Keeps the devices node_exporter 1.5 reports by default, with
/// sectors read and written as bytes (a diskstats sector is always 512 bytes). Rows are keyed
/// by name: major:minor pairs can repeat (seen in real files).
/// </summary>
public static partial class DiskstatsParser
{
    private const ulong SectorBytes = 512;
    // Counter columns after the name: reads, reads merged, sectors read, ms reading, writes, writes merged, sectors written, ...
    private const int SectorsRead = 2, SectorsWritten = 6;

    /// <summary>
    /// node_exporter 1.5's default <c>--collector.diskstats.device-exclude</c>: ram and loop
    /// devices, floppies and partitions. zram, dm-, md, sr, mmcblk and nvme namespaces stay.
    /// </summary>
    [GeneratedRegex("^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme[0-9]+n[0-9]+p)[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ExcludedDevice();

    public static bool IsExcluded(string device) => ExcludedDevice().IsMatch(device);

    /// <exception cref="FormatException">A row with a field count no kernel writes, or a non-numeric counter.</exception>
    public static IReadOnlyList<DiskDevice> Parse(string text)
    {
        if (text.AsSpan().Trim().IsEmpty)
        {
            throw new FormatException("/proc/diskstats: empty.");
        }
        var devices = new List<DiskDevice>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0) continue;
            var counters = fields.Length - 3;
            if (counters is not (11 or 15) and < 17)
            {
                throw new FormatException($"/proc/diskstats: '{line.Trim()}' has {Math.Max(counters, 0)} counters, expected 11, 15 or 17+.");
            }
            ParseNumber(fields[0], line);
            ParseNumber(fields[1], line);
            var values = new ulong[counters];
            for (var i = 0; i < counters; i++)
            {
                values[i] = ParseNumber(fields[i + 3], line);
            }
            var name = fields[2];
            if (IsExcluded(name) || !names.Add(name)) continue;
            devices.Add(new DiskDevice(name, ToBytes(values[SectorsRead], name), ToBytes(values[SectorsWritten], name)));
        }
        return devices;
    }

    private static ulong ParseNumber(string field, string line) =>
        ulong.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"/proc/diskstats: non-numeric field '{field}' in '{line.Trim()}'.");

    private static ulong ToBytes(ulong sectors, string name) =>
        sectors <= ulong.MaxValue / SectorBytes
            ? sectors * SectorBytes
            : throw new FormatException($"/proc/diskstats: {name} sector count {sectors} does not fit in 64 bits as bytes.");
}

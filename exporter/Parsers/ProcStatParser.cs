using System.Globalization;

namespace KubeMonitor.Exporter.Parsers;

/// <summary>
/// One per-CPU <c>cpuN</c> line of /proc/stat, in USER_HZ ticks as the kernel writes them.
/// Kernels before 2.6.11 stop after softirq; steal, guest and guest_nice are null there.
/// </summary>
public sealed record CpuTimes(
    int Cpu,
    ulong User,
    ulong Nice,
    ulong System,
    ulong Idle,
    ulong Iowait,
    ulong Irq,
    ulong SoftIrq,
    ulong? Steal = null,
    ulong? Guest = null,
    ulong? GuestNice = null);

/// <summary>The CPU lines of /proc/stat: one per CPU, in the file's order.</summary>
public sealed record ProcStat(IReadOnlyList<CpuTimes> Cpus);

/// <summary>
/// Parses the per-CPU <c>cpuN</c> lines of /proc/stat. The aggregate <c>cpu</c> line and the
/// other lines (intr, ctxt, ...) are not returned.
/// </summary>
public static class ProcStatParser
{
    // Column order of a cpu line: user nice system idle iowait irq softirq [steal guest guest_nice].
    private const int MinimumColumns = 7, KnownColumns = 10;

    /// <exception cref="FormatException">No cpuN line, a cpuN line cut short, or a non-numeric value.</exception>
    public static ProcStat Parse(string text)
    {
        var cpus = new List<CpuTimes>();
        var rest = text.AsSpan();
        // Line by line over spans: the intr line alone can be 130 KB and is never split.
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf('\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (line.Length > 3 && line.StartsWith("cpu", StringComparison.Ordinal) && char.IsAsciiDigit(line[3]))
            {
                cpus.Add(ParseCpuLine(line));
            }
        }
        return cpus.Count > 0 ? new ProcStat(cpus) : throw new FormatException("/proc/stat: no per-CPU (cpuN) line.");
    }

    private static CpuTimes ParseCpuLine(ReadOnlySpan<char> line)
    {
        Span<ulong> values = stackalloc ulong[KnownColumns];
        var cpu = -1;
        var columns = -1; // the first field is the "cpuN" name
        foreach (var range in line.Split(' '))
        {
            var field = line[range];
            if (field.IsEmpty) continue; // "cpu0  301854": runs of spaces
            if (columns < 0)
            {
                cpu = int.TryParse(field[3..], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                    ? n
                    : throw new FormatException($"/proc/stat: '{field}' is not a CPU name.");
            }
            else
            {
                // Every value is checked, also ones newer kernels may add after guest_nice.
                if (!ulong.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    throw new FormatException($"/proc/stat: non-numeric value '{field}' in '{line}'.");
                }
                if (columns < KnownColumns) values[columns] = value;
            }
            columns++;
        }
        if (columns < MinimumColumns)
        {
            throw new FormatException($"/proc/stat: '{line}' has {columns} values, expected at least {MinimumColumns}.");
        }
        return new CpuTimes(cpu, values[0], values[1], values[2], values[3], values[4], values[5], values[6],
            Steal: columns > 7 ? values[7] : null,
            Guest: columns > 8 ? values[8] : null,
            GuestNice: columns > 9 ? values[9] : null);
    }
}

using System.Globalization;
using KubeMonitor.Exporter.Collection;

namespace KubeMonitor.Exporter.Parsers;

/// <summary>
/// Parses /proc/stat into the node's CPU numbers (docs/api.md section 5): the sum over the per-CPU
/// <c>cpuN</c> lines of user + nice + system + irq + softirq, in USER_HZ ticks, as seconds.
/// The aggregate <c>cpu</c> line is skipped (it can differ from the per-CPU sum by a few
/// ticks, and node_exporter sums the per-CPU lines). Guest time is already inside user; idle,
/// iowait and steal are not usage.
/// </summary>
public static class ProcStatParser
{
    /// <summary>The kernel's USER_HZ: /proc/stat counts in 1/100 s on every Linux ABI.</summary>
    public const double UserHz = 100;

    // Column order of a cpu line: user nice system idle iowait irq softirq [steal guest guest_nice].
    private const int User = 0, Nice = 1, System = 2, Irq = 5, SoftIrq = 6;
    private const int MinimumColumns = SoftIrq + 1;

    /// <exception cref="FormatException">No cpuN line, a cpuN line cut short, or a non-numeric value.</exception>
    public static NodeCpu Parse(string text)
    {
        ulong ticks = 0;
        var cpus = 0;
        var rest = text.AsSpan();
        // Line by line over spans: the intr line alone can be 130 KB and is never split.
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf('\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (line.Length > 3 && line.StartsWith("cpu", StringComparison.Ordinal) && char.IsAsciiDigit(line[3]))
            {
                ticks = AddTicks(ticks, UsageTicks(line));
                cpus++;
            }
        }
        if (cpus == 0)
        {
            throw new FormatException("/proc/stat: no per-CPU (cpuN) line.");
        }
        return new NodeCpu(ticks / UserHz, cpus);
    }

    private static ulong UsageTicks(ReadOnlySpan<char> line)
    {
        Span<ulong> values = stackalloc ulong[MinimumColumns];
        var columns = -1; // the first field is the "cpuN" name
        foreach (var range in line.Split(' '))
        {
            var field = line[range];
            if (field.IsEmpty) continue; // "cpu  301854": runs of spaces
            if (columns >= 0)
            {
                // Every value is checked, also the ones after softirq that are not summed.
                if (!ulong.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    throw new FormatException($"/proc/stat: non-numeric value '{field}' in '{line}'.");
                }
                if (columns < MinimumColumns) values[columns] = value;
            }
            columns++;
        }
        if (columns < MinimumColumns)
        {
            throw new FormatException($"/proc/stat: '{line}' has {columns} values, expected at least {MinimumColumns}.");
        }
        var usage = values[User];
        foreach (var column in (ReadOnlySpan<int>)[Nice, System, Irq, SoftIrq])
        {
            usage = AddTicks(usage, values[column]);
        }
        return usage;
    }

    private static ulong AddTicks(ulong a, ulong b) =>
        a <= ulong.MaxValue - b ? a + b : throw new FormatException("/proc/stat: CPU ticks overflow 64 bits.");
}

using System.Globalization;
using System.Text.RegularExpressions;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>One row of the facade sizing table: a cluster size, its memory and who uses it.</summary>
internal sealed record SizingRow(string Nodes, string Pods, string Retention, double PeakRssMiB, string Memory, string Source, IReadOnlyList<string> UsedBy)
{
    /// <summary>The memory to set, in MiB (the table writes it as a Kubernetes quantity in Mi).</summary>
    public long MemoryMiB => long.Parse(Memory.EndsWith("Mi", StringComparison.Ordinal) ? Memory[..^2] : throw new FormatException($"'{Memory}' is not in Mi."), NumberStyles.None, CultureInfo.InvariantCulture);
}

/// <summary>
/// The table under "## Sizing" of docs/install.md, read by its column titles, so that the
/// manifests can be checked against the sizes the documentation gives.
/// </summary>
internal static partial class SizingTable
{
    public static string DocumentPath { get; } = Path.Combine(RepoPaths.Root, "docs", "install.md");

    public static IReadOnlyList<SizingRow> Read()
    {
        var lines = File.ReadAllLines(DocumentPath);
        var section = Array.IndexOf(lines, "## Sizing");
        Assert.True(section >= 0, "docs/install.md has no '## Sizing' section.");
        var header = Array.FindIndex(lines, section, l => l.StartsWith("| nodes |", StringComparison.Ordinal));
        Assert.True(header > section, "The Sizing section has no table starting with '| nodes |'.");

        var titles = Cells(lines[header]);
        int Column(string title)
        {
            var index = titles.IndexOf(title);
            Assert.True(index >= 0, $"The sizing table has no column '{title}' (it has: {string.Join(", ", titles)}).");
            return index;
        }
        var (nodes, pods, retention, peak, memory, source, usedBy) =
            (Column("nodes"), Column("pods"), Column("retention"), Column("facade peak RSS"), Column("memory request = limit"), Column("source"), Column("used by"));

        var rows = new List<SizingRow>();
        foreach (var line in lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = Cells(line);
            Assert.Equal(titles.Count, cells.Count);
            var peakMiB = double.Parse(cells[peak].Replace(" MiB", "", StringComparison.Ordinal), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            var users = Quoted().Matches(cells[usedBy]).Select(m => m.Groups[1].Value).ToList();
            rows.Add(new SizingRow(cells[nodes], cells[pods], cells[retention], peakMiB, cells[memory], cells[source], users));
        }
        Assert.NotEmpty(rows);
        return rows;
    }

    private static List<string> Cells(string line) => [.. line.Trim().Trim('|').Split('|').Select(c => c.Trim())];

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Quoted();
}

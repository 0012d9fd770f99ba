using System.Globalization;

namespace KubeMonitor.Exporter.Parsers;

/// <summary><c>cgroup.procs</c>: one pid per line, in the reader's pid namespace.</summary>
public static class CgroupProcsParser
{
    /// <exception cref="FormatException">A line that is not a pid.</exception>
    public static IReadOnlyList<int> Parse(string text)
    {
        var pids = new List<int>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            pids.Add(int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                ? pid
                : throw new FormatException($"cgroup.procs: not a pid: '{line}'."));
        }
        return pids;
    }
}

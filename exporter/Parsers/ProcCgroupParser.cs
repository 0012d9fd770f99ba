using System.Globalization;

namespace KubeMonitor.Exporter.Parsers;

/// <summary>One line of /proc/&lt;pid&gt;/cgroup: "hierarchy-id:controllers:path".</summary>
/// <param name="HierarchyId">0 for the cgroup v2 line.</param>
/// <param name="Controllers">v1 controllers of the hierarchy ("cpu", "cpuacct" for "cpu,cpuacct", "name=systemd"); empty for v2.</param>
/// <param name="Path">The process's cgroup in that hierarchy; relative ("/../..") under a cgroup namespace.</param>
public sealed record ProcCgroupLine(int HierarchyId, IReadOnlyList<string> Controllers, string Path);

/// <summary>
/// /proc/&lt;pid&gt;/cgroup in its v1 ("3:cpu,cpuacct:/kubepods/..."), v2 ("0::/kubepods.slice/...") and
/// hybrid (both) forms. Hierarchy ids can come in any order.
/// </summary>
public static class ProcCgroupParser
{
    /// <exception cref="FormatException">A line without two colons, or a non-numeric hierarchy id.</exception>
    public static IReadOnlyList<ProcCgroupLine> Parse(string text)
    {
        var lines = new List<ProcCgroupLine>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            // The path may itself contain ':', so only the first two colons separate fields.
            var first = line.IndexOf(':', StringComparison.Ordinal);
            var second = first < 0 ? -1 : line.IndexOf(':', first + 1);
            if (second < 0 || !int.TryParse(line.AsSpan(0, first), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw new FormatException($"/proc/<pid>/cgroup: malformed line '{line}'.");
            }
            var controllers = line[(first + 1)..second];
            var path = line[(second + 1)..];
            if (path.Length == 0) throw new FormatException($"/proc/<pid>/cgroup: no path in '{line}'.");
            lines.Add(new ProcCgroupLine(id, controllers.Length == 0 ? [] : controllers.Split(','), path));
        }
        return lines;
    }
}

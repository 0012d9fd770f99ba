namespace KubeMonitor.Exporter.Parsers;

/// <summary>
/// The OOM-kill counter: v2 <c>memory.events</c> and v1 <c>memory.oom_control</c>, both flat
/// keyed files with an <c>oom_kill</c> line. Kernels before 4.13 have no such line: null.
/// </summary>
public static class OomKillParser
{
    /// <exception cref="FormatException">A malformed line.</exception>
    public static ulong? ParseMemoryEvents(string text) =>
        CgroupText.Optional(CgroupText.ParseKeyedCounters(text, "memory.events"), "oom_kill");

    /// <exception cref="FormatException">A malformed line.</exception>
    public static ulong? ParseOomControl(string text) =>
        CgroupText.Optional(CgroupText.ParseKeyedCounters(text, "memory.oom_control"), "oom_kill");
}

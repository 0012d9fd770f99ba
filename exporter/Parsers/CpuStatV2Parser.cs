namespace KubeMonitor.Exporter.Parsers;

/// <summary>cgroup v2 <c>cpu.stat</c>.</summary>
/// <param name="UsageMicroseconds">usage_usec: CPU time of the cgroup and its descendants. Always present
/// (core accounting, even where the cpu controller is not enabled).</param>
/// <param name="Periods">nr_periods; null where the cpu controller is not enabled for this cgroup.</param>
/// <param name="ThrottledPeriods">nr_throttled; null likewise.</param>
/// <param name="ThrottledMicroseconds">throttled_usec; null likewise.</param>
public sealed record CpuStatV2(ulong UsageMicroseconds, ulong? Periods, ulong? ThrottledPeriods, ulong? ThrottledMicroseconds);

public static class CpuStatV2Parser
{
    private const string File = "cpu.stat (v2)";

    /// <exception cref="FormatException">A malformed line or no usage_usec.</exception>
    public static CpuStatV2 Parse(string text)
    {
        var values = CgroupText.ParseKeyedCounters(text, File);
        return new CpuStatV2(
            CgroupText.Required(values, "usage_usec", File),
            CgroupText.Optional(values, "nr_periods"),
            CgroupText.Optional(values, "nr_throttled"),
            CgroupText.Optional(values, "throttled_usec"));
    }
}

namespace KubeMonitor.Exporter.Parsers;

/// <summary>cgroup v1 <c>cpu.stat</c> of the cpu controller (CFS bandwidth).</summary>
/// <param name="Periods">nr_periods: enforcement intervals that elapsed (only while a quota is set).</param>
/// <param name="ThrottledPeriods">nr_throttled: intervals in which the group was throttled.</param>
/// <param name="ThrottledNanoseconds">throttled_time: total time throttled, in ns.</param>
public sealed record CpuStatV1(ulong Periods, ulong ThrottledPeriods, ulong ThrottledNanoseconds);

public static class CpuStatV1Parser
{
    private const string File = "cpu.stat (v1)";

    /// <exception cref="FormatException">A malformed line or one of the three keys missing.</exception>
    public static CpuStatV1 Parse(string text)
    {
        // Newer kernels add nr_bursts, burst_time, wait_sum...: ignored.
        var values = CgroupText.ParseKeyedCounters(text, File);
        return new CpuStatV1(
            CgroupText.Required(values, "nr_periods", File),
            CgroupText.Required(values, "nr_throttled", File),
            CgroupText.Required(values, "throttled_time", File));
    }
}

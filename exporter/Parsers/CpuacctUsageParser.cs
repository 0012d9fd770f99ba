namespace KubeMonitor.Exporter.Parsers;

/// <summary>cgroup v1 <c>cpuacct.usage</c>: CPU time of the cgroup and its descendants, in nanoseconds.</summary>
public static class CpuacctUsageParser
{
    /// <returns>Nanoseconds.</returns>
    /// <exception cref="FormatException">Not one non-negative integer.</exception>
    public static ulong Parse(string text) => CgroupText.ParseSingleCounter(text, "cpuacct.usage");
}

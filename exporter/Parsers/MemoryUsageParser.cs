namespace KubeMonitor.Exporter.Parsers;

/// <summary>
/// cgroup v1 <c>memory.usage_in_bytes</c> and cgroup v2 <c>memory.current</c>: both are one
/// number of bytes charged to the cgroup (page cache included).
/// </summary>
public static class MemoryUsageParser
{
    /// <exception cref="FormatException">Not one non-negative integer.</exception>
    public static ulong ParseUsageInBytes(string text) => CgroupText.ParseSingleCounter(text, "memory.usage_in_bytes");

    /// <exception cref="FormatException">Not one non-negative integer.</exception>
    public static ulong ParseCurrent(string text) => CgroupText.ParseSingleCounter(text, "memory.current");
}

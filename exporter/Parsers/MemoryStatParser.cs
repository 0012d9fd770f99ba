namespace KubeMonitor.Exporter.Parsers;

/// <summary>The part of <c>memory.stat</c> the exporter reports, in bytes; null when the kernel has no such key.</summary>
/// <param name="RssBytes">Anonymous memory: v1 (total_)rss, v2 anon.</param>
/// <param name="CacheBytes">Page cache: v1 (total_)cache, v2 file.</param>
/// <param name="ActiveFileBytes">v1 (total_)active_file, v2 active_file.</param>
/// <param name="InactiveFileBytes">v1 (total_)inactive_file, v2 inactive_file: what the working set leaves out.</param>
public sealed record MemoryStat(ulong? RssBytes, ulong? CacheBytes, ulong? ActiveFileBytes, ulong? InactiveFileBytes);

public static class MemoryStatParser
{
    /// <summary>
    /// cgroup v1: the total_* keys count the cgroup with its descendants, the plain keys the
    /// cgroup alone. A pod's processes live in its container children, so total_* is the right
    /// one (cAdvisor and the kubelet use total_inactive_file); plain keys are the fallback.
    /// </summary>
    /// <exception cref="FormatException">A malformed line.</exception>
    public static MemoryStat ParseV1(string text)
    {
        var values = CgroupText.ParseKeyedCounters(text, "memory.stat (v1)");
        return new MemoryStat(
            Hierarchical(values, "rss"),
            Hierarchical(values, "cache"),
            Hierarchical(values, "active_file"),
            Hierarchical(values, "inactive_file"));
    }

    /// <summary>cgroup v2: every key is already hierarchical.</summary>
    /// <exception cref="FormatException">A malformed line.</exception>
    public static MemoryStat ParseV2(string text)
    {
        var values = CgroupText.ParseKeyedCounters(text, "memory.stat (v2)");
        return new MemoryStat(
            CgroupText.Optional(values, "anon"),
            CgroupText.Optional(values, "file"),
            CgroupText.Optional(values, "active_file"),
            CgroupText.Optional(values, "inactive_file"));
    }

    private static ulong? Hierarchical(Dictionary<string, ulong> values, string key) =>
        CgroupText.Optional(values, "total_" + key) ?? CgroupText.Optional(values, key);
}

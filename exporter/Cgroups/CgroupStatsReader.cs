using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Parsers;

namespace KubeMonitor.Exporter.Cgroups;

/// <summary>
/// Reads the numbers of one pod or container cgroup, given its path relative to the hierarchy
/// roots. On v1 every controller's file is read at the same relative path in that controller's
/// own hierarchy; on hybrid hosts the cgroup2 tree supplies what v1 lacks (see
/// <see cref="CgroupLayout"/>). A file this kernel does not have leaves its value null.
/// </summary>
public sealed class CgroupStatsReader(CgroupLayout layout)
{
    private const double NanosecondsPerSecond = 1e9;
    private const double MicrosecondsPerSecond = 1e6;

    private readonly string? _cpuacct = layout.V1("cpuacct");
    private readonly string? _cpu = layout.V1("cpu");
    private readonly string? _memory = layout.V1("memory");
    private readonly string? _blkio = layout.V1("blkio");
    private readonly string? _unified = layout.Unified;

    /// <summary>The cgroup's numbers, or null when it vanished while being read (a pod or container that ended).</summary>
    /// <exception cref="FormatException">A file whose text is broken (the collector then reports failure).</exception>
    public CgroupStats? Read(string relativePath)
    {
        var read = new Reading(relativePath);
        try
        {
            var stats = new CgroupStats();
            var cpuStatV2 = _cpuacct is null || _cpu is null ? read.Record(_unified, "cpu.stat", CpuStatV2Parser.Parse) : null;

            stats.CpuUsageSeconds = _cpuacct is not null
                ? read.Counter(_cpuacct, "cpuacct.usage", CpuacctUsageParser.Parse) / NanosecondsPerSecond
                : cpuStatV2?.UsageMicroseconds / MicrosecondsPerSecond;

            if (_cpu is not null)
            {
                var cpuStat = read.Record(_cpu, "cpu.stat", CpuStatV1Parser.Parse);
                stats.CpuPeriods = cpuStat?.Periods;
                stats.CpuThrottledPeriods = cpuStat?.ThrottledPeriods;
                stats.CpuThrottledSeconds = cpuStat?.ThrottledNanoseconds / NanosecondsPerSecond;
            }
            else
            {
                stats.CpuPeriods = cpuStatV2?.Periods;
                stats.CpuThrottledPeriods = cpuStatV2?.ThrottledPeriods;
                stats.CpuThrottledSeconds = cpuStatV2?.ThrottledMicroseconds / MicrosecondsPerSecond;
            }

            MemoryStat? memoryStat;
            if (_memory is not null)
            {
                stats.MemoryUsageBytes = read.Counter(_memory, "memory.usage_in_bytes", MemoryUsageParser.ParseUsageInBytes);
                memoryStat = read.Record(_memory, "memory.stat", MemoryStatParser.ParseV1);
                stats.OomKills = read.OptionalCounter(_memory, "memory.oom_control", OomKillParser.ParseOomControl);
            }
            else
            {
                stats.MemoryUsageBytes = read.Counter(_unified, "memory.current", MemoryUsageParser.ParseCurrent);
                memoryStat = read.Record(_unified, "memory.stat", MemoryStatParser.ParseV2);
                stats.OomKills = read.OptionalCounter(_unified, "memory.events", OomKillParser.ParseMemoryEvents);
            }
            stats.MemoryRssBytes = memoryStat?.RssBytes;
            stats.MemoryCacheBytes = memoryStat?.CacheBytes;
            stats.MemoryActiveFileBytes = memoryStat?.ActiveFileBytes;
            stats.MemoryInactiveFileBytes = memoryStat?.InactiveFileBytes;
            stats.MemoryWorkingSetBytes = WorkingSet(stats.MemoryUsageBytes, memoryStat?.InactiveFileBytes);

            var io = _blkio is not null
                ? read.Record(_blkio, "blkio.throttle.io_service_bytes_recursive", BlkioServiceBytesParser.Parse)
                : read.Record(_unified, "io.stat", IoStatParser.Parse);
            stats.DiskReadBytes = io?.ReadBytes;
            stats.DiskWrittenBytes = io?.WrittenBytes;

            var pressure = PressureHierarchy(relativePath);
            stats.CpuPressure = read.Record(pressure, "cpu.pressure", PressureParser.Parse);
            stats.MemoryPressure = read.Record(pressure, "memory.pressure", PressureParser.Parse);
            stats.IoPressure = read.Record(pressure, "io.pressure", PressureParser.Parse);

            // A missing file is either absent on this kernel (null, fine) or its cgroup just went.
            return read.SawMissingFile && !Directory.Exists(Path.Join(layout.DiscoveryRoot, relativePath)) ? null : stats;
        }
        catch (Exception e) when (CgroupErrors.IsGone(e))
        {
            return null;
        }
    }

    /// <summary>
    /// Where the cgroup's pressure files are: the cgroup2 tree, or null when the cgroup is not
    /// in it. On hybrid hosts runtimes often make containers only in the v1 controllers; one
    /// stat then replaces three failed opens, each of which costs an exception (measured: about
    /// a quarter of a 110-pod collection's CPU, see docs/benchmarks.md).
    /// </summary>
    private string? PressureHierarchy(string relativePath) =>
        _unified is not null && (layout.Mode == CgroupMode.V2 || Directory.Exists(Path.Join(_unified, relativePath)))
            ? _unified
            : null;

    /// <summary>usage - inactive_file, never below 0 (docs/api.md section 5).</summary>
    internal static ulong? WorkingSet(ulong? usage, ulong? inactiveFile) =>
        usage is { } u && inactiveFile is { } inactive ? (u > inactive ? u - inactive : 0) : null;

    private sealed class Reading(string relativePath)
    {
        public bool SawMissingFile { get; private set; }

        public T? Record<T>(string? hierarchy, string file, Func<string, T> parse) where T : class =>
            Text(hierarchy, file) is { } text ? parse(text) : null;

        public ulong? Counter(string? hierarchy, string file, Func<string, ulong> parse) =>
            Text(hierarchy, file) is { } text ? parse(text) : null;

        /// <summary>A counter whose key may be missing from its file (null then).</summary>
        public ulong? OptionalCounter(string? hierarchy, string file, Func<string, ulong?> parse) =>
            Text(hierarchy, file) is { } text ? parse(text) : null;

        private string? Text(string? hierarchy, string file)
        {
            if (hierarchy is null) return null;
            var text = HostRoot.TryReadFile(Path.Join(hierarchy, relativePath, file));
            if (text is null) SawMissingFile = true;
            return text;
        }
    }
}

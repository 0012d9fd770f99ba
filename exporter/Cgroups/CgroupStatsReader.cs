using System.Diagnostics.CodeAnalysis;
using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Parsers;

namespace KubeMonitor.Exporter.Cgroups;

/// <summary>
/// Reads the numbers of one pod or container cgroup, given its path relative to the hierarchy
/// roots. On v1 every controller's file is read at the same relative path in that controller's
/// own hierarchy; on hybrid hosts the cgroup2 tree supplies what v1 lacks (see
/// <see cref="CgroupLayout"/>). A file this kernel does not have leaves its value null. Each file
/// is its own failure unit: one that cannot be read or parsed leaves only its own values null
/// and is reported as a <see cref="ReadError"/>.
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

    /// <summary>How a whole file is read; tests swap it to fail one read the way the kernel does.</summary>
    internal Func<string, string> ReadFile { get; init; } = HostRoot.ReadFile;

    /// <summary>
    /// The cgroup's numbers, or null when it vanished while being read (a pod or container that
    /// ended: quiet, nothing reported). Files that could not be read or parsed while the cgroup
    /// stayed are added to <paramref name="errors"/> and their values are null.
    /// </summary>
    public CgroupStats? Read(string relativePath, ICollection<ReadError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var read = new Reading(relativePath, ReadFile);
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
        stats.CpuPressure = Seconds(read.Record(pressure, "cpu.pressure", PressureParser.Parse));
        stats.MemoryPressure = Seconds(read.Record(pressure, "memory.pressure", PressureParser.Parse));
        stats.IoPressure = Seconds(read.Record(pressure, "io.pressure", PressureParser.Parse));

        // A missing file is either absent on this kernel (null, fine) or its cgroup just went,
        // and then so did every error it caused.
        if (read.SawGoneFile && !Directory.Exists(Path.Join(layout.DiscoveryRoot, relativePath))) return null;
        foreach (var error in read.Errors) errors.Add(error);
        return stats;
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

    /// <summary>PSI totals (us) as seconds.</summary>
    private static Pressure? Seconds(PressureTotals? totals) =>
        totals is null ? null : new Pressure(totals.SomeTotalMicroseconds / MicrosecondsPerSecond, totals.FullTotalMicroseconds / MicrosecondsPerSecond);

    /// <summary>usage - inactive_file, never below 0 (docs/api.md section 5).</summary>
    internal static ulong? WorkingSet(ulong? usage, ulong? inactiveFile) =>
        usage is { } u && inactiveFile is { } inactive ? (u > inactive ? u - inactive : 0) : null;

    /// <summary>One cgroup's files, each read and parsed on its own.</summary>
    private sealed class Reading(string relativePath, Func<string, string> readFile)
    {
        private List<ReadError>? _errors;

        /// <summary>A file was not there or vanished while read: maybe the cgroup is gone.</summary>
        public bool SawGoneFile { get; private set; }

        public IReadOnlyList<ReadError> Errors => _errors ?? [];

        public T? Record<T>(string? hierarchy, string file, Func<string, T> parse) where T : class =>
            TryParse(hierarchy, file, parse, out var value) ? value : null;

        public ulong? Counter(string? hierarchy, string file, Func<string, ulong> parse) =>
            TryParse(hierarchy, file, parse, out var value) ? value : null;

        /// <summary>A counter whose key may be missing from its file (null then).</summary>
        public ulong? OptionalCounter(string? hierarchy, string file, Func<string, ulong?> parse) =>
            TryParse(hierarchy, file, parse, out var value) ? value : null;

        private bool TryParse<T>(string? hierarchy, string file, Func<string, T> parse, [MaybeNullWhen(false)] out T value)
        {
            value = default;
            if (hierarchy is null) return false;
            var path = Path.Join(hierarchy, relativePath, file);
            string text;
            try
            {
                text = readFile(path);
            }
            catch (Exception e) when (HostRoot.IsVanished(e))
            {
                // Not on this kernel, or the cgroup is gone: Read tells which.
                SawGoneFile = true;
                return false;
            }
            catch (Exception e) when (CgroupErrors.IsGone(e))
            {
                // Removed between open and read: an error only if the cgroup itself stays.
                SawGoneFile = true;
                Fail(file, path, "it vanished while being read");
                return false;
            }
            catch (Exception e) when (CgroupErrors.IsUnsupported(e))
            {
                return false;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Fail(file, path, e.Message);
                return false;
            }
            try
            {
                value = parse(text);
                return true;
            }
            catch (FormatException e)
            {
                Fail(file, path, e.Message);
                return false;
            }
        }

        private void Fail(string file, string path, string reason) => (_errors ??= []).Add(new ReadError(file, path, reason));
    }
}

namespace KubeMonitor.Exporter.Cgroups;

public enum CgroupMode
{
    /// <summary>Only v1 hierarchies, one per controller or combined ("cpu,cpuacct").</summary>
    V1,
    /// <summary>One unified hierarchy (cgroup2 at /sys/fs/cgroup).</summary>
    V2,
    /// <summary>v1 controllers plus a cgroup2 mount (usually /sys/fs/cgroup/unified) that holds no controllers.</summary>
    Hybrid,
}

/// <summary>
/// Where this host's cgroup hierarchies are, decided once at start (see
/// <see cref="CgroupLayoutDetector"/>). Paths are as the exporter sees them, under
/// <see cref="Host.HostRoot.CgroupRoot"/>.
/// </summary>
/// <remarks>
/// Which file each number comes from on a hybrid host: a controller is read where it is
/// attached. The kubelet and runtimes charge CPU, memory and I/O to the v1 hierarchies, and
/// the cgroup2 mount of a hybrid host has no controllers, so CPU, memory and I/O come from v1.
/// The cgroup2 tree is read only for what v1 lacks: PSI pressure (v2 only), and the v2 file of
/// any of our controllers that is not mounted in v1 (cpu.stat usage_usec is core accounting
/// and counts even without the cpu controller).
/// </remarks>
public sealed class CgroupLayout
{
    /// <summary>The v1 controllers whose files the exporter reads.</summary>
    public static readonly IReadOnlyList<string> ReadControllers = ["cpuacct", "cpu", "memory", "blkio"];

    private readonly Dictionary<string, string> _v1;

    public CgroupMode Mode { get; }

    /// <summary>The cgroup2 hierarchy: the whole tree on v2, the extra mount on hybrid; null on v1.</summary>
    public string? Unified { get; }

    /// <summary>What the layout was decided from (a mountinfo file, or a probe of the cgroup root).</summary>
    public string Source { get; }

    /// <summary>Where v1 controllers are attached, by controller name (combined hierarchies appear under each name).</summary>
    public IReadOnlyDictionary<string, string> V1Hierarchies => _v1;

    public CgroupLayout(string? unified, IReadOnlyDictionary<string, string> v1Hierarchies, string source)
    {
        if (unified is null && v1Hierarchies.Count == 0)
        {
            throw new ArgumentException("A cgroup layout needs a cgroup2 hierarchy or at least one v1 controller.");
        }
        Unified = unified;
        _v1 = new Dictionary<string, string>(v1Hierarchies, StringComparer.Ordinal);
        Source = source;
        Mode = _v1.Count == 0 ? CgroupMode.V2 : unified is null ? CgroupMode.V1 : CgroupMode.Hybrid;
    }

    /// <summary>A pure v2 host whose unified hierarchy is <paramref name="unified"/>.</summary>
    public static CgroupLayout V2(string unified, string source) => new(unified, new Dictionary<string, string>(), source);

    /// <summary>The v1 hierarchy a controller is attached to, or null.</summary>
    public string? V1(string controller) => _v1.GetValueOrDefault(controller);

    /// <summary>
    /// The hierarchy that is walked to find pods and containers: on v1 and hybrid the one that
    /// holds cpuacct (every container has a CPU cgroup), else the unified tree.
    /// </summary>
    public string DiscoveryRoot => V1("cpuacct") ?? V1("cpu") ?? V1("memory") ?? Unified
        ?? throw new InvalidOperationException("No cgroup hierarchy to walk.");

    /// <summary>One line for the start-up log.</summary>
    public string Describe()
    {
        var v1 = string.Join(", ", ReadControllers.Select(c => $"{c}={V1(c) ?? "absent"}"));
        return Mode switch
        {
            CgroupMode.V2 => $"cgroup v2 (unified) at {Unified}, from {Source}",
            CgroupMode.V1 => $"cgroup v1, from {Source}: {v1}; no cgroup2 mount, so no pressure (PSI) series",
            _ => $"cgroup hybrid, from {Source}: v1 {v1}; cgroup2 at {Unified} (read for pressure and for controllers absent from v1)",
        };
    }
}

using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Parsers;

namespace KubeMonitor.Exporter.Cgroups;

/// <summary>
/// Decides v1, v2 or hybrid. The mounts are the truth: <c>&lt;proc&gt;/1/mountinfo</c> (the host's
/// init, so it is right even inside the DaemonSet's container), else <c>&lt;proc&gt;/self/mountinfo</c>.
/// Host mount points under /sys/fs/cgroup are mapped onto <see cref="HostRoot.CgroupRoot"/> (the
/// DaemonSet sees the host's /sys/fs/cgroup/memory at /host/sys/fs/cgroup/memory). Without a
/// usable mountinfo (fixture trees) the cgroup root directory is probed instead.
/// </summary>
public static class CgroupLayoutDetector
{
    /// <summary>Where cgroup filesystems are mounted on a host; mountinfo paths are relative to this.</summary>
    public const string HostCgroupMount = "/sys/fs/cgroup";

    private static readonly HashSet<string> KnownV1Controllers = new(StringComparer.Ordinal)
    {
        "cpu", "cpuacct", "cpuset", "memory", "blkio", "devices", "freezer", "net_cls", "net_prio",
        "perf_event", "hugetlb", "pids", "rdma", "misc",
    };

    /// <exception cref="InvalidOperationException">Neither the mounts nor the cgroup root show any cgroup hierarchy.</exception>
    public static CgroupLayout Detect(HostRoot host)
    {
        foreach (var mountInfo in new[] { host.Proc("1", "mountinfo"), host.Proc("self", "mountinfo") })
        {
            string? text;
            try
            {
                text = HostRoot.TryReadFile(mountInfo);
            }
            catch (UnauthorizedAccessException)
            {
                continue; // /proc/1 is not ours to read without privileges; self is
            }
            if (text is null) continue;
            var layout = FromMountInfo(MountInfoParser.Parse(text), host.CgroupRoot, mountInfo);
            if (layout is not null) return layout;
        }
        return Probe(host.CgroupRoot)
            ?? throw new InvalidOperationException($"No cgroup hierarchy found: no cgroup mount under {HostCgroupMount} and nothing in {host.CgroupRoot}.");
    }

    /// <summary>The layout from mount entries, or null when none is a cgroup mount visible under <paramref name="cgroupRoot"/>.</summary>
    public static CgroupLayout? FromMountInfo(IEnumerable<MountInfoEntry> mounts, string cgroupRoot, string source)
    {
        string? unified = null;
        var v1 = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var mount in mounts)
        {
            if (mount.FsType is not ("cgroup" or "cgroup2")) continue;
            var relative = RelativeToHostCgroupMount(mount.MountPoint);
            if (relative is null) continue;
            var path = relative.Length == 0 ? cgroupRoot : Path.Join(cgroupRoot, relative);
            if (!Directory.Exists(path)) continue; // mounted on the host, but not visible to us
            if (mount.FsType == "cgroup2")
            {
                unified ??= path;
                continue;
            }
            foreach (var option in mount.SuperOptions)
            {
                if (KnownV1Controllers.Contains(option)) v1.TryAdd(option, path);
            }
        }
        return unified is null && v1.Count == 0 ? null : new CgroupLayout(unified, v1, source);
    }

    /// <summary>
    /// Reads the layout off the cgroup root directory: <c>cgroup.controllers</c> there means v2;
    /// controller folders ("memory", "cpu,cpuacct") mean v1, hybrid when a <c>unified</c> folder
    /// sits beside them. A tree with neither (fixture copies of a v2 host omit cgroup.controllers)
    /// can only be a unified hierarchy. Null when the root does not exist.
    /// </summary>
    public static CgroupLayout? Probe(string cgroupRoot)
    {
        if (!Directory.Exists(cgroupRoot)) return null;
        var source = $"a probe of {cgroupRoot}";
        if (File.Exists(Path.Join(cgroupRoot, "cgroup.controllers"))) return CgroupLayout.V2(cgroupRoot, source);

        string? unified = null;
        var v1 = new Dictionary<string, string>(StringComparer.Ordinal);
        // Real folders first: hosts add symlinks (cpu -> cpu,cpuacct) that name the same hierarchy.
        var folders = new DirectoryInfo(cgroupRoot).EnumerateDirectories()
            .OrderBy(d => d.LinkTarget is null ? 0 : 1)
            .ThenBy(d => d.Name, StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            if (folder.Name == "unified")
            {
                unified = folder.FullName;
                continue;
            }
            foreach (var controller in folder.Name.Split(','))
            {
                if (KnownV1Controllers.Contains(controller)) v1.TryAdd(controller, folder.FullName);
            }
        }
        return v1.Count == 0 ? CgroupLayout.V2(unified ?? cgroupRoot, source) : new CgroupLayout(unified, v1, source);
    }

    private static string? RelativeToHostCgroupMount(string mountPoint)
    {
        if (mountPoint == HostCgroupMount) return "";
        return mountPoint.StartsWith(HostCgroupMount + "/", StringComparison.Ordinal)
            ? mountPoint[(HostCgroupMount.Length + 1)..]
            : null;
    }
}

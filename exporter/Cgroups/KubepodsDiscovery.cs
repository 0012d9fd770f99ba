namespace KubeMonitor.Exporter.Cgroups;

/// <summary>A container's cgroup, relative to the hierarchy root.</summary>
/// <param name="Runtime">containerd, crio or docker when the cgroup name tells; null for the cgroupfs driver's bare ids.</param>
public sealed record DiscoveredContainer(string Id, string? Runtime, string RelativePath);

/// <summary>A pod's cgroup, relative to the hierarchy root, and its containers.</summary>
/// <param name="Uid">With dashes (the systemd driver's underscores turned back).</param>
/// <param name="QosClass">guaranteed, burstable or besteffort.</param>
public sealed record DiscoveredPod(string Uid, string QosClass, string RelativePath, IReadOnlyList<DiscoveredContainer> Containers);

/// <summary>What a kubepods cgroup path names: a pod, or one of its containers (ContainerId set).</summary>
public sealed record KubepodsCgroup(string PodUid, string QosClass, string? ContainerId, string? Runtime);

/// <summary>
/// Finds every pod and container in one cgroup hierarchy, for both kubelet cgroup drivers:
/// <list type="bullet">
/// <item>systemd: <c>kubepods.slice/kubepods-&lt;qos&gt;.slice/kubepods-&lt;qos&gt;-pod&lt;uid_with_underscores&gt;.slice/&lt;runtime&gt;-&lt;id&gt;.scope</c>,
/// guaranteed pods directly under kubepods.slice as <c>kubepods-pod&lt;uid&gt;.slice</c>; runtimes
/// <c>cri-containerd-</c>, <c>crio-</c> (its <c>crio-conmon-</c> monitor scopes are not containers) and <c>docker-</c>.</item>
/// <item>cgroupfs: <c>kubepods/&lt;qos&gt;/pod&lt;uid&gt;/&lt;id&gt;</c>, guaranteed pods as <c>kubepods/pod&lt;uid&gt;/&lt;id&gt;</c>.</item>
/// </list>
/// Directories that vanish during the walk are skipped: pods end all the time.
/// </summary>
public static class KubepodsDiscovery
{
    public const string Guaranteed = "guaranteed";
    private static readonly string[] QosLevels = ["burstable", "besteffort"];
    private static readonly (string Prefix, string Runtime)[] ScopePrefixes =
        [("cri-containerd-", "containerd"), ("crio-", "crio"), ("docker-", "docker")];

    /// <summary>Pods ordered by uid, containers by id, so that output is stable.</summary>
    public static IReadOnlyList<DiscoveredPod> Discover(string hierarchyRoot)
    {
        var pods = new List<DiscoveredPod>();
        WalkSystemd(hierarchyRoot, pods);
        WalkCgroupfs(hierarchyRoot, pods);
        pods.Sort((a, b) => string.CompareOrdinal(a.Uid, b.Uid));
        return pods;
    }

    private static void WalkSystemd(string root, List<DiscoveredPod> pods)
    {
        const string top = "kubepods.slice";
        foreach (var child in SubdirectoryNames(Path.Join(root, top)))
        {
            if (TryParseSystemdPod(child, qos: null, out var uid))
            {
                AddPod(root, pods, uid, Guaranteed, $"{top}/{child}", systemd: true);
                continue;
            }
            foreach (var qos in QosLevels)
            {
                if (child != $"kubepods-{qos}.slice") continue;
                foreach (var podDir in SubdirectoryNames(Path.Join(root, top, child)))
                {
                    if (TryParseSystemdPod(podDir, qos, out uid)) AddPod(root, pods, uid, qos, $"{top}/{child}/{podDir}", systemd: true);
                }
            }
        }
    }

    private static void WalkCgroupfs(string root, List<DiscoveredPod> pods)
    {
        const string top = "kubepods";
        foreach (var child in SubdirectoryNames(Path.Join(root, top)))
        {
            if (TryParseCgroupfsPod(child, out var uid))
            {
                AddPod(root, pods, uid, Guaranteed, $"{top}/{child}", systemd: false);
            }
            else if (QosLevels.Contains(child))
            {
                foreach (var podDir in SubdirectoryNames(Path.Join(root, top, child)))
                {
                    if (TryParseCgroupfsPod(podDir, out uid)) AddPod(root, pods, uid, child, $"{top}/{child}/{podDir}", systemd: false);
                }
            }
        }
    }

    private static void AddPod(string root, List<DiscoveredPod> pods, string uid, string qos, string podPath, bool systemd)
    {
        var containers = new List<DiscoveredContainer>();
        foreach (var name in SubdirectoryNames(Path.Join(root, podPath)))
        {
            var parsed = systemd ? ParseSystemdContainer(name) : ParseCgroupfsContainer(name);
            if (parsed is { } c) containers.Add(new DiscoveredContainer(c.Id, c.Runtime, $"{podPath}/{name}"));
        }
        containers.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        pods.Add(new DiscoveredPod(uid, qos, podPath, containers));
    }

    /// <summary>
    /// The pod (and container, when the path goes that deep) a cgroup path names, by the same
    /// rules as the walk: e.g. a path from /proc/&lt;pid&gt;/cgroup. Null when it is no pod's cgroup.
    /// </summary>
    public static KubepodsCgroup? ParseCgroupPath(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2) return null;
        var systemd = parts[0] == "kubepods.slice";
        if (!systemd && parts[0] != "kubepods") return null;

        string uid, qos;
        int podIndex;
        if (systemd ? TryParseSystemdPod(parts[1], qos: null, out uid) : TryParseCgroupfsPod(parts[1], out uid))
        {
            (qos, podIndex) = (Guaranteed, 1);
        }
        else
        {
            qos = QosLevels.FirstOrDefault(q => parts[1] == (systemd ? $"kubepods-{q}.slice" : q)) ?? "";
            if (qos.Length == 0 || parts.Length < 3) return null;
            if (!(systemd ? TryParseSystemdPod(parts[2], qos, out uid) : TryParseCgroupfsPod(parts[2], out uid))) return null;
            podIndex = 2;
        }
        if (parts.Length == podIndex + 1) return new KubepodsCgroup(uid, qos, null, null);
        if (parts.Length > podIndex + 2) return null;
        var container = systemd ? ParseSystemdContainer(parts[^1]) : ParseCgroupfsContainer(parts[^1]);
        return container is { } c ? new KubepodsCgroup(uid, qos, c.Id, c.Runtime) : null;
    }

    /// <summary>"kubepods-pod&lt;uid&gt;.slice" (qos null, guaranteed) or "kubepods-&lt;qos&gt;-pod&lt;uid&gt;.slice".</summary>
    internal static bool TryParseSystemdPod(string name, string? qos, out string uid)
    {
        var prefix = qos is null ? "kubepods-pod" : $"kubepods-{qos}-pod";
        uid = "";
        if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(".slice", StringComparison.Ordinal)) return false;
        var raw = name[prefix.Length..^".slice".Length];
        // systemd reserves '-' for nesting, so the kubelet writes the uid's dashes as underscores.
        if (!IsUid(raw, separator: '_')) return false;
        uid = raw.Replace('_', '-');
        return true;
    }

    /// <summary>"pod&lt;uid-with-dashes&gt;".</summary>
    internal static bool TryParseCgroupfsPod(string name, out string uid)
    {
        uid = "";
        if (!name.StartsWith("pod", StringComparison.Ordinal) || !IsUid(name[3..], separator: '-')) return false;
        uid = name[3..];
        return true;
    }

    /// <summary>"&lt;runtime&gt;-&lt;id&gt;.scope"; null for crio-conmon-* and for anything else.</summary>
    internal static (string Id, string? Runtime)? ParseSystemdContainer(string name)
    {
        if (!name.EndsWith(".scope", StringComparison.Ordinal)) return null;
        return ParsePrefixed(name[..^".scope".Length]);
    }

    /// <summary>A bare id (containerd, docker) or crio-&lt;id&gt; (CRI-O); null for crio-conmon-* and anything else.</summary>
    internal static (string Id, string? Runtime)? ParseCgroupfsContainer(string name) =>
        IsContainerId(name) ? (name, null) : ParsePrefixed(name);

    private static (string Id, string? Runtime)? ParsePrefixed(string name)
    {
        if (name.StartsWith("crio-conmon-", StringComparison.Ordinal)) return null; // CRI-O's monitor process, not a container
        foreach (var (prefix, runtime) in ScopePrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal) && IsContainerId(name[prefix.Length..]))
            {
                return (name[prefix.Length..], runtime);
            }
        }
        return null;
    }

    /// <summary>Runtimes name containers by 64 hex digits; shorter ids are accepted down to docker's short form.</summary>
    private static bool IsContainerId(string s) => s.Length >= 12 && !s.AsSpan().ContainsAnyExcept(HexDigits);

    /// <summary>A dashed uuid, or the 32-hex config hash of a static pod.</summary>
    private static bool IsUid(string s, char separator) =>
        s.Length >= 32 && !s.AsSpan().ContainsAnyExcept(separator == '_' ? UidCharsUnderscore : UidCharsDash);

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdef");
    private static readonly System.Buffers.SearchValues<char> UidCharsDash = System.Buffers.SearchValues.Create("0123456789abcdef-");
    private static readonly System.Buffers.SearchValues<char> UidCharsUnderscore = System.Buffers.SearchValues.Create("0123456789abcdef_");

    private static List<string> SubdirectoryNames(string path)
    {
        try
        {
            var names = new List<string>();
            foreach (var dir in Directory.EnumerateDirectories(path)) names.Add(Path.GetFileName(dir));
            names.Sort(StringComparer.Ordinal);
            return names;
        }
        catch (Exception e) when (CgroupErrors.IsGone(e))
        {
            return []; // no such driver's tree on this host, or the pod just ended
        }
    }
}

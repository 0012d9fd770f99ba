namespace KubeMonitor.Exporter.Host;

/// <summary>
/// Where the host's kernel files are: every file the exporter reads is found through this one
/// object, so tests point it at a fixture tree. In the DaemonSet the host's /proc and /sys are
/// mounted at /host/proc and /host/sys; outside a container they are /proc and /sys.
/// </summary>
public sealed class HostRoot
{
    /// <summary>/proc and /sys files are small; their reported sizes lie, so reads are capped.</summary>
    public const int MaxFileBytes = 1 << 20;

    public string ProcRoot { get; }
    public string SysRoot { get; }
    public string CgroupRoot { get; }

    private HostRoot(string procRoot, string sysRoot, string cgroupRoot)
    {
        ProcRoot = procRoot;
        SysRoot = sysRoot;
        CgroupRoot = cgroupRoot;
    }

    /// <summary>
    /// Builds the root from the options; null picks the default (/host/proc if it exists, else
    /// /proc; likewise for sys; cgroup defaults to &lt;sys&gt;/fs/cgroup).
    /// </summary>
    /// <exception cref="HostRootException">A root that does not exist.</exception>
    public static HostRoot Create(string? procRoot = null, string? sysRoot = null, string? cgroupRoot = null)
    {
        var proc = procRoot ?? (Directory.Exists("/host/proc") ? "/host/proc" : "/proc");
        var sys = sysRoot ?? (Directory.Exists("/host/sys") ? "/host/sys" : "/sys");
        var cgroup = cgroupRoot ?? Path.Combine(sys, "fs", "cgroup");
        foreach (var (name, path) in new[] { ("proc root", proc), ("sys root", sys), ("cgroup root", cgroup) })
        {
            if (!Directory.Exists(path))
            {
                throw new HostRootException($"The {name} '{path}' does not exist. Point --{name.Split(' ')[0]}-root at the host's {name.Split(' ')[0]} mount.");
            }
        }
        return new HostRoot(Path.GetFullPath(proc), Path.GetFullPath(sys), Path.GetFullPath(cgroup));
    }

    public string Proc(params ReadOnlySpan<string> parts) => Join(ProcRoot, parts);
    public string Sys(params ReadOnlySpan<string> parts) => Join(SysRoot, parts);
    public string Cgroup(params ReadOnlySpan<string> parts) => Join(CgroupRoot, parts);

    /// <summary>Reads a whole kernel file (at most <see cref="MaxFileBytes"/>).</summary>
    /// <exception cref="FileNotFoundException">Also for a vanished directory (ENOENT).</exception>
    public static string ReadFile(string path)
    {
        // Pooled: a scrape reads thousands of small kernel files, and a fresh array per file cost
        // ~150 MB of garbage per scrape on a 110-pod node. 64 KiB holds /proc/stat of 512 CPUs;
        // a bigger file is read again into a bigger buffer.
        var size = 64 * 1024;
        while (true)
        {
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
            try
            {
                var length = KernelFile.Read(path, buffer.AsSpan(0, Math.Min(buffer.Length, MaxFileBytes)), out var full);
                if (!full || length >= MaxFileBytes) return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
                size = Math.Min(buffer.Length * 2, MaxFileBytes);
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Like <see cref="ReadFile"/>, but null when the file (or its directory) is gone.</summary>
    public static string? TryReadFile(string path)
    {
        try
        {
            return ReadFile(path);
        }
        catch (Exception e) when (IsVanished(e))
        {
            return null;
        }
    }

    /// <summary>ENOENT and ESRCH: a pod, container or process that ended while we read. Normal.</summary>
    public static bool IsVanished(Exception e) =>
        e is FileNotFoundException or DirectoryNotFoundException
        || (e is IOException io && (io.HResult & 0xFFFF) == 3 /* ESRCH */);

    private static string Join(string root, ReadOnlySpan<string> parts)
    {
        var path = root;
        foreach (var part in parts)
        {
            path = Path.Join(path, part);
        }
        return path;
    }
}

public sealed class HostRootException(string message) : Exception(message);

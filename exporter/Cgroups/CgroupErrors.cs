using KubeMonitor.Exporter.Host;

namespace KubeMonitor.Exporter.Cgroups;

internal static class CgroupErrors
{
    private const int Enodev = 19;

    /// <summary>
    /// The cgroup (or process) is gone: ENOENT and ESRCH as for any kernel file, and ENODEV,
    /// which the kernel returns when a cgroup is removed between opening one of its files and
    /// reading it. Pods and containers end all the time; none of this is a failure.
    /// </summary>
    public static bool IsGone(Exception e) =>
        HostRoot.IsVanished(e) || (e is IOException io && (io.HResult & 0xFFFF) == Enodev);

    /// <summary>
    /// EOPNOTSUPP: the file exists but this kernel does not provide its data, e.g. a pressure
    /// file on a kernel booted with psi=0 (before 5.17 such files were shown all the same).
    /// As absent as a file this kernel does not have.
    /// </summary>
    public static bool IsUnsupported(Exception e) => e is IOException io && (io.HResult & 0xFFFF) == Eopnotsupp;

    private const int Eopnotsupp = 95;
}

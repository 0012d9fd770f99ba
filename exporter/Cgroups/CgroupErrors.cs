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
}

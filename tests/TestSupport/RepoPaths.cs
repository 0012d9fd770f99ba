namespace KubeMonitor.TestSupport;

/// <summary>Finds the repository root and the shared fixtures (../shared/fixtures beside it).</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The read-only third-party samples of /proc, cgroup and the Kubernetes API.</summary>
    public static string Fixtures { get; } = Path.GetFullPath(Path.Combine(Root, "..", "shared", "fixtures"));

    public static string Fixture(params string[] parts) => Path.Combine([Fixtures, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KubeMonitor.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("KubeMonitor.sln not found above " + AppContext.BaseDirectory);
    }
}

namespace KubeMonitor.TestSupport;

/// <summary>Finds the repository root and the test fixtures (tests/fixtures).</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The third-party samples of /proc, cgroup and the Kubernetes API (sources in tests/fixtures/README.md).</summary>
    public static string Fixtures { get; } = Path.Combine(Root, "tests", "fixtures");

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

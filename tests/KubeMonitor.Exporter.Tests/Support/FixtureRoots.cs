using KubeMonitor.Exporter.Host;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Exporter.Tests.Support;

internal static class FixtureRoots
{
    /// <summary>A fixture folder under proc/ as the proc root (sys and cgroup point at it too: the node collectors only read proc).</summary>
    public static HostRoot Proc(string folder)
    {
        var path = RepoPaths.Fixture("proc", folder);
        return HostRoot.Create(path, path, path);
    }
}

/// <summary>A writable copy of a proc fixture folder, to break one file of it.</summary>
internal sealed class TempProcRoot : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("kubemonitor-proc-").FullName;

    public TempProcRoot(string fixtureFolder)
    {
        var source = RepoPaths.Fixture("proc", fixtureFolder);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = System.IO.Path.Combine(Path, System.IO.Path.GetRelativePath(source, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public HostRoot Root => HostRoot.Create(Path, Path, Path);

    public void Write(string relativePath, string text) => File.WriteAllText(System.IO.Path.Combine(Path, relativePath), text);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

namespace KubeMonitor.Exporter.Tests.Cgroups;

/// <summary>
/// A throw-away directory that imitates a host's /proc and /sys/fs/cgroup, filled with copies of
/// real fixture files placed in pod-shaped layouts the fixtures do not have. Deleted on dispose.
/// </summary>
internal sealed class TempCgroupTree : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("kubemonitor-cgroup-").FullName;

    public string Proc => Path.Join(Root, "proc");
    public string Sys => Path.Join(Root, "sys");
    public string Cgroup => Path.Join(Root, "sys", "fs", "cgroup");

    public TempCgroupTree()
    {
        Directory.CreateDirectory(Proc);
        Directory.CreateDirectory(Cgroup);
    }

    /// <summary>Creates (if needed) a directory under the cgroup root, '/'-separated.</summary>
    public string CgroupDir(string relative) => Directory.CreateDirectory(Path.Join(Cgroup, relative)).FullName;

    /// <summary>Copies a fixture file (relative to the fixtures folder) into a cgroup directory, under its own name.</summary>
    public void CopyFixture(string fixture, string cgroupDir)
    {
        var target = CgroupDir(cgroupDir);
        File.Copy(CgroupFixtures.Path(fixture), Path.Join(target, Path.GetFileName(fixture)));
    }

    /// <summary>Copies every file of a fixture directory into a cgroup directory.</summary>
    public void CopyFixtureFiles(string fixtureDir, string cgroupDir)
    {
        var target = CgroupDir(cgroupDir);
        foreach (var file in Directory.EnumerateFiles(CgroupFixtures.Path(fixtureDir)))
        {
            File.Copy(file, Path.Join(target, Path.GetFileName(file)));
        }
    }

    public void WriteCgroupFile(string relative, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Join(Cgroup, relative))!);
        File.WriteAllText(Path.Join(Cgroup, relative), text);
    }

    public void WriteProcFile(string relative, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Join(Proc, relative))!);
        File.WriteAllText(Path.Join(Proc, relative), text);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

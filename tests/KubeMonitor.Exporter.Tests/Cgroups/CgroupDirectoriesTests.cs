using KubeMonitor.Exporter.Cgroups;

namespace KubeMonitor.Exporter.Tests.Cgroups;

/// <summary>Files read through held directories: the same text, released when no longer read, never more than the cap.</summary>
public sealed class CgroupDirectoriesTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("kubemonitor-dirs-");

    public void Dispose() => _root.Delete(recursive: true);

    private string MakeCgroup(string name, string file, string text)
    {
        var directory = Path.Join(_root.FullName, name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Join(directory, file), text);
        return directory;
    }

    [Fact]
    public void Reads_the_files_of_a_held_directory_and_sees_them_change()
    {
        var cgroup = MakeCgroup("a", "cpuacct.usage", "100\n");
        using var directories = new CgroupDirectories(openFilesLimit: 1024);

        Assert.Equal("100\n", directories.ReadFile(cgroup, "cpuacct.usage"));
        File.WriteAllText(Path.Join(cgroup, "cpuacct.usage"), "200\n");
        Assert.Equal("200\n", directories.ReadFile(cgroup, "cpuacct.usage"));
        Assert.Equal(1, directories.Held);
        Assert.Throws<FileNotFoundException>(() => directories.ReadFile(cgroup, "memory.stat"));
    }

    [Fact]
    public void A_sweep_lets_go_of_directories_no_collection_read_since_the_last_one()
    {
        var first = MakeCgroup("a", "f", "1");
        var second = MakeCgroup("b", "f", "2");
        using var directories = new CgroupDirectories(openFilesLimit: 1024);
        directories.ReadFile(first, "f");
        directories.ReadFile(second, "f");
        directories.Sweep();
        Assert.Equal(2, directories.Held);

        directories.ReadFile(first, "f"); // the second pod ended
        directories.Sweep();

        Assert.Equal(1, directories.Held);
    }

    [Fact]
    public void A_removed_cgroup_is_gone_through_its_held_directory_too()
    {
        var cgroup = MakeCgroup("a", "f", "1");
        using var directories = new CgroupDirectories(openFilesLimit: 1024);
        directories.ReadFile(cgroup, "f");

        Directory.Delete(cgroup, recursive: true);

        Assert.Throws<FileNotFoundException>(() => directories.ReadFile(cgroup, "f"));
    }

    [Fact]
    public void Beyond_a_quarter_of_the_open_file_limit_files_are_read_by_path()
    {
        var cgroups = Enumerable.Range(0, 5).Select(i => MakeCgroup($"c{i}", "f", $"{i}")).ToList();
        using var directories = new CgroupDirectories(openFilesLimit: 12);

        Assert.Equal(["0", "1", "2", "3", "4"], cgroups.Select(c => directories.ReadFile(c, "f")));
        Assert.Equal(3, directories.Held);
    }
}

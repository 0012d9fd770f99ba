using KubeMonitor.Exporter.Host;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Exporter.Tests.Host;

/// <summary>ReadFile reads with a pooled buffer and its own system calls: it must return what a plain read returns, and fail as .NET's file APIs fail.</summary>
public sealed class HostRootReadFileTests
{
    [Theory]
    [InlineData("proc/procfs-8cpu/stat")]          // ~130 KB: the buffer grows several times
    [InlineData("proc/cadvisor/net/dev")]          // no trailing newline
    [InlineData("cgroup-v2/io-stat-quirks/ubuntu2/io.stat")]
    public void Fixture_files_read_whole(string fixture)
    {
        var path = RepoPaths.Fixture(fixture.Split('/'));
        Assert.Equal(File.ReadAllText(path), HostRoot.ReadFile(path));
    }

    [Theory]
    [InlineData("/proc/self/mountinfo")]
    [InlineData("/proc/self/cgroup")]
    [InlineData("/proc/cpuinfo")]
    [InlineData("/proc/self/status")]
    public void Proc_files_read_whole(string path)
    {
        // Compare stable parts: these files are generated at each read but keep their shape.
        var expected = File.ReadAllText(path).Split('\n').Select(l => l.Split(':')[0]);
        var actual = HostRoot.ReadFile(path).Split('\n').Select(l => l.Split(':')[0]);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Reads_stop_at_one_mebibyte()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, new string('x', HostRoot.MaxFileBytes + 12345));
            Assert.Equal(HostRoot.MaxFileBytes, HostRoot.ReadFile(path).Length);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_file_is_vanished()
    {
        Assert.Null(HostRoot.TryReadFile("/proc/999999999/net/dev"));
        Assert.Null(HostRoot.TryReadFile("/nonexistent-kubemonitor/file"));
    }

    [Theory]
    [InlineData(64 * 1024)]     // fills the first buffer exactly: read again into a bigger one
    [InlineData(64 * 1024 + 1)]
    [InlineData(64 * 1024 - 1)]
    public void Files_at_the_buffer_size_read_whole(int length)
    {
        var path = Path.GetTempFileName();
        try
        {
            var text = string.Create(length, 0, (chars, _) => { for (var i = 0; i < chars.Length; i++) chars[i] = (char)('a' + i % 26); });
            File.WriteAllText(path, text);
            Assert.Equal(text, HostRoot.ReadFile(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Errors_are_the_exceptions_dotnet_throws_for_them()
    {
        var file = Path.GetTempFileName();
        try
        {
            Assert.Throws<FileNotFoundException>(() => HostRoot.ReadFile(file + ".missing"));
            Assert.Throws<DirectoryNotFoundException>(() => HostRoot.ReadFile(Path.Join(file, "below-a-file")));        // ENOTDIR
            var directory = Assert.Throws<IOException>(() => HostRoot.ReadFile(Path.GetDirectoryName(file)!));          // EISDIR
            Assert.Equal(21, directory.HResult);
            Assert.Contains(Path.GetDirectoryName(file)!, directory.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }
}

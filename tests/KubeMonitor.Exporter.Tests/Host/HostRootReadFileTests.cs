using KubeMonitor.Exporter.Host;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Exporter.Tests.Host;

/// <summary>ReadFile reads with a pooled buffer and positional reads: it must return what a plain read returns.</summary>
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
}

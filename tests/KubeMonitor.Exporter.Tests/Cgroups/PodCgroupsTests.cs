using System.Diagnostics;
using KubeMonitor.Exporter.Cgroups;
using KubeMonitor.Exporter.Host;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Exporter.Tests.Cgroups;

/// <summary>The real-cgroup helper itself, and what the kernel does to files of removed cgroups.</summary>
[Collection(RealLoad.Name)]
public sealed class PodCgroupsTests
{
    [Theory]
    [InlineData("cgroupfs")]
    [InlineData("systemd")]
    public void Dispose_ends_the_processes_and_removes_every_cgroup(string driver)
    {
        var layout = CgroupLayoutDetector.Detect(HostRoot.Create());
        var pod = driver == "cgroupfs" ? PodCgroups.Cgroupfs(layout, "besteffort") : PodCgroups.Systemd(layout, "besteffort", "crio-");
        IReadOnlyList<int> pids;
        try
        {
            pod.StartInContainer("stress-ng", "--cpu", "1", "--timeout", "60s", "--quiet");
            WaitUntil(() => pod.ContainerPids().Count >= 2, "stress-ng and its worker in the container");
            pids = pod.ContainerPids();
            Assert.All(pod.Hierarchies, h => Assert.True(Directory.Exists(Path.Join(h, pod.ContainerPath))));
        }
        finally
        {
            pod.Dispose();
        }

        Assert.All(pod.Hierarchies, h => Assert.False(Directory.Exists(Path.Join(h, pod.PodPath)), $"{pod.PodPath} left in {h}"));
        Assert.All(pids, pid => WaitUntil(() => !IsRunning(pid), $"pid {pid} to end"));
    }

    [Fact]
    public void Shared_parents_go_with_the_last_pod_under_them()
    {
        var layout = CgroupLayoutDetector.Detect(HostRoot.Create());
        var kubepods = Path.Join(layout.DiscoveryRoot, "kubepods");
        var existedBefore = Directory.Exists(kubepods);
        var first = PodCgroups.Cgroupfs(layout);
        var second = PodCgroups.Cgroupfs(layout);
        try
        {
            first.Dispose();
            Assert.True(Directory.Exists(Path.Join(layout.DiscoveryRoot, second.ContainerPath)));
        }
        finally
        {
            second.Dispose();
        }
        Assert.Equal(existedBefore, Directory.Exists(kubepods));
    }

    [Fact]
    public void A_file_of_a_cgroup_removed_after_opening_reads_as_gone()
    {
        var layout = CgroupLayoutDetector.Detect(HostRoot.Create());
        var pod = PodCgroups.Cgroupfs(layout);
        var file = Path.Join(layout.DiscoveryRoot, pod.ContainerPath, "cgroup.procs");
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        pod.Dispose();

        var error = Assert.ThrowsAny<IOException>(() => stream.ReadByte());

        Assert.True(CgroupErrors.IsGone(error), $"ENODEV expected, got {error.GetType().Name} {error.HResult}: {error.Message}");
    }

    private static bool IsRunning(int pid)
    {
        var stat = HostRoot.TryReadFile($"/proc/{pid}/stat");
        return stat is not null && stat[(stat.LastIndexOf(')') + 2)] != 'Z';
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10)) Assert.Fail($"Waited 10 s for {what}.");
            Thread.Sleep(20);
        }
    }
}

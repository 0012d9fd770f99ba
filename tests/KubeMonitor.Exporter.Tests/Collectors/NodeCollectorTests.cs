using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Collectors;
using KubeMonitor.Exporter.Tests.Support;

namespace KubeMonitor.Exporter.Tests.Collectors;

/// <summary>Each node collector reads its file through the host root and fills its part of the snapshot.</summary>
public sealed class NodeCollectorTests
{
    private static NodeSnapshot Empty() => new() { NodeName = "node-1", Timestamp = DateTimeOffset.UnixEpoch };

    [Theory]
    [InlineData("procfs-8cpu", 4183.22, 8)] // 418322 ticks, see ProcStatParserTests
    [InlineData("coroot-16cpu", 317750280.14, 16)]
    public void Cpu_collector_reads_proc_stat_under_the_root(string folder, double seconds, int cores)
    {
        var snapshot = Empty();
        var collector = new NodeCpuCollector(FixtureRoots.Proc(folder));

        collector.Collect(snapshot);

        Assert.Equal("cpu", collector.Name);
        Assert.Equal(new NodeCpu(seconds, cores), snapshot.Cpu);
        Assert.Null(snapshot.Memory);
    }

    [Theory]
    [InlineData("procfs-8cpu", 15666184UL * 1024, 15204908UL * 1024)] // see MeminfoParserTests
    [InlineData("telegraf-hugepages", 264026876UL * 1024, 260015468UL * 1024)]
    public void Memory_collector_reads_proc_meminfo_under_the_root(string folder, ulong total, ulong available)
    {
        var snapshot = Empty();
        var collector = new NodeMemoryCollector(FixtureRoots.Proc(folder));

        collector.Collect(snapshot);

        Assert.Equal("meminfo", collector.Name);
        Assert.Equal(new NodeMemory(total, available), snapshot.Memory);
    }

    [Fact]
    public void Disk_collector_reads_proc_diskstats_under_the_root()
    {
        var snapshot = Empty();
        var collector = new NodeDiskCollector(FixtureRoots.Proc("coroot-16cpu"));

        collector.Collect(snapshot);

        Assert.Equal("diskstats", collector.Name);
        Assert.Equal(13, snapshot.Disks!.Count); // every row the parser keeps, see DiskstatsParserTests
        Assert.Equal(new DiskDevice("md1", 1796434600UL * 512, 119095117160UL * 512), snapshot.Disks.Single(d => d.Name == "md1"));
    }

    [Fact]
    public void Network_collector_reads_proc_net_dev_under_the_root()
    {
        var snapshot = Empty();
        var collector = new NodeNetworkCollector(FixtureRoots.Proc("cadvisor"));

        collector.Collect(snapshot);

        Assert.Equal("netdev", collector.Name);
        Assert.Equal(["wlp4s0", "docker0", "lo", "em1"], snapshot.Interfaces!.Select(i => i.Name));
    }

    [Fact]
    public void A_missing_file_fails_the_collector()
    {
        // node-exporter's fixture folder has no net/dev: the collector must fail, not report nothing.
        Assert.Throws<DirectoryNotFoundException>(() => new NodeNetworkCollector(FixtureRoots.Proc("node-exporter")).Collect(Empty()));
    }
}

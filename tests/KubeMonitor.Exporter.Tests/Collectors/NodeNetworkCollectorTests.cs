using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Collectors;
using KubeMonitor.Exporter.Tests.Support;

namespace KubeMonitor.Exporter.Tests.Collectors;

public sealed class NodeNetworkCollectorTests
{
    [Fact]
    public void Reads_proc_net_dev_under_the_root_with_lo()
    {
        var snapshot = new NodeSnapshot { NodeName = "node-1", Timestamp = DateTimeOffset.UnixEpoch };
        var collector = new NodeNetworkCollector(FixtureRoots.Proc("cadvisor"));

        collector.Collect(snapshot);

        Assert.Equal("netdev", collector.Name);
        Assert.Equal([new("wlp4s0", 1, 9), new("docker0", 0, 0), new("lo", 0, 0), new NetworkInterface("em1", 315849, 315850)], snapshot.Interfaces!);
    }

    [Fact]
    public void A_missing_file_fails_the_collector()
    {
        // node-exporter's fixture folder has no net/dev: the collector must fail, not report nothing.
        var snapshot = new NodeSnapshot { NodeName = "node-1", Timestamp = DateTimeOffset.UnixEpoch };
        // The kernel says ENOENT whether the file or its folder is missing (the fixture lacks both).
        var missing = Assert.Throws<FileNotFoundException>(() => new NodeNetworkCollector(FixtureRoots.Proc("node-exporter")).Collect(snapshot));
        Assert.EndsWith("net/dev", missing.FileName);
    }
}

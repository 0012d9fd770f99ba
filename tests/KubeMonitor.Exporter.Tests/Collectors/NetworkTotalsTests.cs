using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Collectors;
using KubeMonitor.Exporter.Parsers;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Exporter.Tests.Collectors;

/// <summary>The one loopback rule: node and pod totals sum every interface but lo.</summary>
public sealed class NetworkTotalsTests
{
    [Fact]
    public void Sums_every_interface_but_loopback_of_a_real_file()
    {
        var rows = NetDevParser.Parse(File.ReadAllText(RepoPaths.Fixture("proc", "procfs-8cpu", "net", "dev")));

        // 648 + 2568 + 874354587 received, 438 + 438 + 563352563 transmitted; lo's 1664039048 left out.
        Assert.Equal(new NetworkTotals(874357803, 563353439), NetworkTotals.Of(NodeNetworkCollector.Interfaces(rows)));
    }

    [Fact]
    public void Only_lo_is_loopback() =>
        Assert.Equal(new NetworkTotals(7, 70), NetworkTotals.Of([new("lo", 1000, 1000), new("lo0", 3, 30), new("eth0", 4, 40)]));

    [Fact]
    public void No_interface_but_lo_is_zero_not_absent() =>
        Assert.Equal(new NetworkTotals(0, 0), NetworkTotals.Of([new NetworkInterface("lo", 5, 5)]));
}

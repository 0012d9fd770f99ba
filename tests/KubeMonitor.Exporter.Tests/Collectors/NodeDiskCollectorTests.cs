using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Collectors;
using KubeMonitor.Exporter.Parsers;
using KubeMonitor.Exporter.Tests.Parsers;
using KubeMonitor.Exporter.Tests.Support;

namespace KubeMonitor.Exporter.Tests.Collectors;

/// <summary>Node disks: node_exporter 1.5's devices, sectors x 512.</summary>
public sealed class NodeDiskCollectorTests
{
    [Theory]
    [MemberData(nameof(DiskstatsParserTests.Fixtures), MemberType = typeof(DiskstatsParserTests))]
    public void Keeps_node_exporters_devices_of_real_files_as_bytes(string folder, int rowCount, DiskstatsParserTests.Sectors[] kept)
    {
        var snapshot = new NodeSnapshot { NodeName = "node-1", Timestamp = DateTimeOffset.UnixEpoch };
        var collector = new NodeDiskCollector(FixtureRoots.Proc(folder));

        collector.Collect(snapshot);

        Assert.Equal("diskstats", collector.Name);
        Assert.True(rowCount > kept.Length, "the fixture has rows to drop");
        // Exactly these devices, in file order: every other row is a partition, ram, loop or floppy.
        Assert.Equal(kept.Select(d => new DiskDevice(d.Device, d.Read * 512, d.Written * 512)), snapshot.Disks!);
    }

    [Theory]
    [InlineData("sda", false)]
    [InlineData("sda1", true)]
    [InlineData("hdb2", true)]
    [InlineData("vda", false)]
    [InlineData("xvda1", true)]
    [InlineData("nvme0n1", false)]
    [InlineData("nvme0n1p1", true)]
    [InlineData("nvme12n3p45", true)]
    [InlineData("ram0", true)]
    [InlineData("loop7", true)]
    [InlineData("fd0", true)]
    [InlineData("zram0", false)]
    [InlineData("dm-0", false)]
    [InlineData("md127", false)]
    [InlineData("sr0", false)]
    [InlineData("mmcblk0p1", false)]
    public void Excludes_what_node_exporter_1_5_excludes(string device, bool excluded) =>
        Assert.Equal(excluded, NodeDiskCollector.IsExcluded(device));

    [Fact]
    public void A_repeated_name_keeps_its_first_row() =>
        Assert.Equal([new DiskDevice("sdb", 512, 512)], Devices(new DiskstatsRow(8, 16, "sdb", 1, 1), new DiskstatsRow(8, 32, "sdb", 2, 2)));

    [Fact]
    public void Keeps_sector_counts_above_2_pow_53_exact_as_bytes() =>
        // 2^54 + 1 sectors x 512 = 2^63 + 512 bytes: exact in a ulong.
        Assert.Equal([new DiskDevice("vda", 9223372036854776320, 7 * 512)], Devices(new DiskstatsRow(254, 0, "vda", 18014398509481985, 7)));

    [Fact]
    public void Refuses_sectors_that_do_not_fit_in_64_bits_as_bytes() =>
        // 2^55 sectors = 2^64 bytes.
        Assert.Throws<OverflowException>(() => Devices(new DiskstatsRow(254, 0, "vda", 36028797018963968, 0)));

    private static IReadOnlyList<DiskDevice> Devices(params DiskstatsRow[] rows) => NodeDiskCollector.Devices(rows);
}

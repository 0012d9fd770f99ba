using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Parsers;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Exporter.Tests.Parsers;

public sealed class DiskstatsParserTests
{
    // Expected rows: every device the regex of node_exporter 1.5 keeps, in file order, with
    // counter 3 (sectors read) and counter 7 (sectors written) of the row, times 512.
    // ram*, loop*, fd0, sda1..4, vda1..2, xvda1, nvme0n1p* are dropped; dm-*, md1, sr0, rbd*,
    // zram and mmcblk0p1/p2 (not in the regex) stay.
    public static TheoryData<string, DiskDevice[]> Fixtures => new()
    {
        {
            "procfs-8cpu", // 11-field rows, sdb with 15 and sdc with 17 fields; sdb and sdc both 8:0
            [
                new("sda", 1003346126UL * 512, 505697032UL * 512),
                new("dm-0", 1003337218UL * 512, 505696880UL * 512),
                new("dm-1", 3104 * 512, 592 * 512),
                new("dm-2", 308350 * 512, 5093416UL * 512),
                new("dm-3", 3870 * 512, 0),
                new("dm-4", 1034 * 512, 137 * 512),
                new("dm-5", 84279 * 512, 1151688UL * 512),
                new("mmcblk0", 1560 * 512, 0),
                new("mmcblk0p1", 160 * 512, 0),
                new("mmcblk0p2", 760 * 512, 0),
                new("vda", 32670882UL * 512, 213637440UL * 512),
                new("sr0", 0, 0),
                new("nvme0n1", 4643973UL * 512, 39451633UL * 512),
                new("sdb", 9657779UL * 512, 1972905UL * 512),
                new("sdc", 579164 * 512, 180500 * 512),
            ]
        },
        {
            "node-exporter", // same rows except sdc (17 fields: 1657779 read, 172905 written)
            [
                new("sda", 1003346126UL * 512, 505697032UL * 512),
                new("dm-0", 1003337218UL * 512, 505696880UL * 512),
                new("dm-1", 3104 * 512, 592 * 512),
                new("dm-2", 308350 * 512, 5093416UL * 512),
                new("dm-3", 3870 * 512, 0),
                new("dm-4", 1034 * 512, 137 * 512),
                new("dm-5", 84279 * 512, 1151688UL * 512),
                new("mmcblk0", 1560 * 512, 0),
                new("mmcblk0p1", 160 * 512, 0),
                new("mmcblk0p2", 760 * 512, 0),
                new("vda", 32670882UL * 512, 213637440UL * 512),
                new("sr0", 0, 0),
                new("nvme0n1", 4643973UL * 512, 39451633UL * 512),
                new("sdb", 9657779UL * 512, 1972905UL * 512),
                new("sdc", 1657779UL * 512, 172905 * 512),
            ]
        },
        {
            "coroot-16cpu", // 15-field nvme rows, an 11-field md1 with 2^35-scale sectors, 17-field rbd and mmcblk rows
            [
                new("nvme0n1", 703503 * 512, 742747626UL * 512),
                new("nvme1n1", 19996 * 512, 540514653UL * 512),
                new("sr0", 0, 0),
                new("sda", 0, 0),
                new("sdb", 0, 0),
                new("md1", 1796434600UL * 512, 119095117160UL * 512),
                new("vda", 30 * 512, 70 * 512),
                new("xvda", 0, 0),
                new("dm-0", 2 * 512, 6 * 512),
                new("rbd0", 8642 * 512, 107408 * 512),
                new("rbd1", 4474 * 512, 97928 * 512),
                new("mmcblk2", 41091023UL * 512, 129513803UL * 512),
                new("mmcblk1", 7784 * 512, 0),
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Keeps_node_exporters_devices_of_real_files(string folder, DiskDevice[] expected) =>
        Assert.Equal(expected, DiskstatsParser.Parse(File.ReadAllText(RepoPaths.Fixture("proc", folder, "diskstats"))));

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
        Assert.Equal(excluded, DiskstatsParser.IsExcluded(device));

    [Fact]
    public void Parses_sector_counts_above_2_pow_53_and_a_last_row_without_newline()
    {
        // 2^54 + 1 sectors x 512 = 2^63 + 512 bytes: exact in a ulong.
        var devices = DiskstatsParser.Parse(" 254 0 vda 1 0 18014398509481985 0 1 0 7 0 0 0 0");

        Assert.Equal([new DiskDevice("vda", 9223372036854776320, 7 * 512)], devices);
    }

    [Fact]
    public void Accepts_future_kernels_with_more_than_17_fields() =>
        Assert.Equal([new DiskDevice("vda", 512, 1024)], DiskstatsParser.Parse(" 254 0 vda 0 0 1 0 0 0 2 0 0 0 0 0 0 0 0 0 0 0 0\n"));

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData(" 254 0 vda 1 2 3 4 5 6 7 8 9 10\n")] // 10 fields: truncated
    [InlineData(" 254 0 vda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n")] // 16 fields: no kernel writes this
    [InlineData(" 254 0 vda 1 2 3x 4 5 6 7 8 9 10 11\n")]
    [InlineData(" 254 0 loop0 1 2 3 4 5 6 7 8 9 10 -1\n")] // broken even on an excluded device
    [InlineData(" 254 0 vda 0 0 36028797018963968 0 0 0 0 0 0 0 0\n")] // 2^55 sectors = 2^64 bytes
    public void Rejects_broken_input(string text) => Assert.Throws<FormatException>(() => DiskstatsParser.Parse(text));
}

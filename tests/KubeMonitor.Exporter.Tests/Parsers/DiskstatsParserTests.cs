using KubeMonitor.Exporter.Parsers;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Exporter.Tests.Parsers;

public sealed class DiskstatsParserTests
{
    // Counter 3 (sectors read) and counter 7 (sectors written) of the rows of the devices
    // node_exporter 1.5 keeps, in file order (NodeCollectorTests checks the same rows as bytes,
    // and that the others are dropped: ram*, loop*, fd0, sda1..4, vda1..2, xvda1, nvme0n1p*),
    // and the number of rows in the file.
    public static TheoryData<string, int, Sectors[]> Fixtures => new()
    {
        {
            "procfs-8cpu", 52, // 11-field rows, sdb with 15 and sdc with 17 fields; sdb and sdc both 8:0
            [
                new("sda", 1003346126UL, 505697032UL),
                new("dm-0", 1003337218UL, 505696880UL),
                new("dm-1", 3104, 592),
                new("dm-2", 308350, 5093416UL),
                new("dm-3", 3870, 0),
                new("dm-4", 1034, 137),
                new("dm-5", 84279, 1151688UL),
                new("mmcblk0", 1560, 0),
                new("mmcblk0p1", 160, 0),
                new("mmcblk0p2", 760, 0),
                new("vda", 32670882UL, 213637440UL),
                new("sr0", 0, 0),
                new("nvme0n1", 4643973UL, 39451633UL),
                new("sdb", 9657779UL, 1972905UL),
                new("sdc", 579164, 180500),
            ]
        },
        {
            "node-exporter", 51, // same rows except sdc (17 fields: 1657779 read, 172905 written)
            [
                new("sda", 1003346126UL, 505697032UL),
                new("dm-0", 1003337218UL, 505696880UL),
                new("dm-1", 3104, 592),
                new("dm-2", 308350, 5093416UL),
                new("dm-3", 3870, 0),
                new("dm-4", 1034, 137),
                new("dm-5", 84279, 1151688UL),
                new("mmcblk0", 1560, 0),
                new("mmcblk0p1", 160, 0),
                new("mmcblk0p2", 760, 0),
                new("vda", 32670882UL, 213637440UL),
                new("sr0", 0, 0),
                new("nvme0n1", 4643973UL, 39451633UL),
                new("sdb", 9657779UL, 1972905UL),
                new("sdc", 1657779UL, 172905),
            ]
        },
        {
            "coroot-16cpu", 29, // 15-field nvme rows, an 11-field md1 with 2^35-scale sectors, 17-field rbd and mmcblk rows
            [
                new("nvme0n1", 703503, 742747626UL),
                new("nvme1n1", 19996, 540514653UL),
                new("sr0", 0, 0),
                new("sda", 0, 0),
                new("sdb", 0, 0),
                new("md1", 1796434600UL, 119095117160UL),
                new("vda", 30, 70),
                new("xvda", 0, 0),
                new("dm-0", 2, 6),
                new("rbd0", 8642, 107408),
                new("rbd1", 4474, 97928),
                new("mmcblk2", 41091023UL, 129513803UL),
                new("mmcblk1", 7784, 0),
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Reads_every_row_of_real_files(string folder, int rowCount, Sectors[] expected)
    {
        var rows = DiskstatsParser.Parse(File.ReadAllText(RepoPaths.Fixture("proc", folder, "diskstats")));

        Assert.Equal(rowCount, rows.Count);
        Assert.Equal(expected, expected.Select(e => rows.First(r => r.Device == e.Device)).Select(r => new Sectors(r.Device, r.SectorsRead, r.SectorsWritten)));
    }

    [Fact]
    public void Keeps_a_repeated_major_minor_pair_as_two_rows()
    {
        var rows = DiskstatsParser.Parse(File.ReadAllText(RepoPaths.Fixture("proc", "procfs-8cpu", "diskstats")));

        Assert.Equal([new DiskstatsRow(8, 0, "sda", 1003346126, 505697032), new DiskstatsRow(8, 0, "sdb", 9657779, 1972905), new DiskstatsRow(8, 0, "sdc", 579164, 180500)],
            rows.Where(r => r.Major == 8 && r.Minor == 0));
    }

    [Fact]
    public void Parses_sector_counts_above_2_pow_53_and_a_last_row_without_newline()
    {
        // 2^54 + 1 sectors: a double would round it.
        var rows = DiskstatsParser.Parse(" 254 0 vda 1 0 18014398509481985 0 1 0 7 0 0 0 0");

        Assert.Equal([new DiskstatsRow(254, 0, "vda", 18014398509481985, 7)], rows);
    }

    [Fact]
    public void Accepts_future_kernels_with_more_than_17_fields() =>
        Assert.Equal([new DiskstatsRow(254, 0, "vda", 1, 2)], DiskstatsParser.Parse(" 254 0 vda 0 0 1 0 0 0 2 0 0 0 0 0 0 0 0 0 0 0 0\n"));

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData(" 254 0 vda 1 2 3 4 5 6 7 8 9 10\n")] // 10 fields: truncated
    [InlineData(" 254 0 vda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n")] // 16 fields: no kernel writes this
    [InlineData(" 254 0 vda 1 2 3x 4 5 6 7 8 9 10 11\n")]
    [InlineData(" 254 0 loop0 1 2 3 4 5 6 7 8 9 10 -1\n")] // broken, on a device the collector drops
    [InlineData(" 254 0 vda 0 0 18446744073709551616 0 0 0 0 0 0 0 0\n")] // 2^64 sectors do not fit
    [InlineData(" 4294967296 0 vda 0 0 1 0 0 0 0 0 0 0 0\n")] // a major above 32 bits
    public void Rejects_broken_input(string text) => Assert.Throws<FormatException>(() => DiskstatsParser.Parse(text));

    public sealed record Sectors(string Device, ulong Read, ulong Written);
}

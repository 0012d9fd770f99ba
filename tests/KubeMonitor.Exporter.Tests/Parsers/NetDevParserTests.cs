using KubeMonitor.Exporter.Parsers;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Exporter.Tests.Parsers;

public sealed class NetDevParserTests
{
    // Columns 1 (receive bytes) and 9 (transmit bytes) after the "name:" of each row, read off the fixtures.
    public static TheoryData<string, NetDevRow[]> Fixtures => new()
    {
        { "procfs-8cpu/net/dev", [new("vethf345468", 648, 438), new("lo", 1664039048, 1664039048), new("docker0", 2568, 438), new("eth0", 874354587, 563352563)] },
        // A pod's network namespace: lo and eth0 only, mirror image of the host's veth.
        { "procfs-8cpu/26231/net/dev", [new("lo", 0, 0), new("eth0", 438, 648)] },
        // Irregular spacing ("lo:  0    0") and no trailing newline.
        { "cadvisor/net/dev", [new("wlp4s0", 1, 9), new("docker0", 0, 0), new("lo", 0, 0), new("em1", 315849, 315850)] },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Reads_every_interface_of_real_files(string file, NetDevRow[] expected) =>
        Assert.Equal(expected, NetDevParser.Parse(File.ReadAllText(RepoPaths.Fixture("proc", file))));

    [Fact]
    public void Parses_64_bit_counters_above_2_pow_53_and_a_missing_gap_after_the_colon()
    {
        var interfaces = NetDevParser.Parse(Header + "eth0:18446744073709551615 0 0 0 0 0 0 0 9007199254740993 0 0 0 0 0 0 0");

        Assert.Equal([new NetDevRow("eth0", ulong.MaxValue, 9007199254740993)], interfaces);
    }

    [Fact]
    public void A_header_without_interfaces_is_an_empty_namespace() => Assert.Empty(NetDevParser.Parse(Header));

    [Theory]
    [InlineData("")]
    [InlineData(Header + "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n")] // truncated row
    [InlineData(Header + "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 1x\n")]
    [InlineData(Header + "  eth0: 18446744073709551616 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n")] // 2^64
    [InlineData(Header + "    : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n")] // no name
    public void Rejects_broken_input(string text) => Assert.Throws<FormatException>(() => NetDevParser.Parse(text));

    private const string Header =
        "Inter-|   Receive                                                |  Transmit\n" +
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n";
}

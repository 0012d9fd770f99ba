using KubeMonitor.Exporter.Parsers;
using static KubeMonitor.Exporter.Tests.Cgroups.CgroupFixtures;

namespace KubeMonitor.Exporter.Tests.Parsers;

public sealed class BlkioServiceBytesParserTests
{
    // The io_serviced files share the layout (counts instead of bytes), so they exercise the parser too.
    [Theory]
    [InlineData(Amzn2Blkio + "/blkio.throttle.io_service_bytes_recursive", 3448832UL, 25203200UL)]   // Discard row, bare Total line
    [InlineData(Amzn2Blkio + "/blkio.throttle.io_service_bytes", 3448832UL, 25203200UL)]
    [InlineData(Amzn2Blkio + "/blkio.throttle.io_serviced_recursive", 59UL, 5048UL)]
    [InlineData(Amzn2Blkio + "/blkio.bfq.io_service_bytes", 0UL, 0UL)]                             // only "Total 0"
    // Five devices, values > 2^40, no Discard rows, no trailing newline:
    // Read 0 + 0 + 875529547776 + 998632854016 + 10238894080; Write 655360 + 4603904 + 753046432768 + 884175858688 + 49152.
    [InlineData(CorootV1 + "/blkio/" + CorootV1Docker + "/blkio.throttle.io_service_bytes", 1884401295872UL, 1637227599872UL)]
    [InlineData(CorootV1 + "/blkio/" + CorootV1Docker + "/blkio.throttle.io_serviced", 44366960UL, 56814107UL)]
    // Many zero loop devices; Read 49134 (8:0) + 16 ram devices x 3.
    [InlineData("cgroup-v1/telegraf/blkio.throttle.io_serviced", 49182UL, 216703UL)]
    public void Fixtures(string file, ulong read, ulong written) =>
        Assert.Equal(new IoBytes(read, written), BlkioServiceBytesParser.Parse(Text(file)));

    [Fact]
    public void Sync_async_discard_and_total_rows_are_not_counted() =>
        Assert.Equal(new IoBytes(10, 20),
            BlkioServiceBytesParser.Parse("8:0 Read 10\n8:0 Write 20\n8:0 Sync 5\n8:0 Async 25\n8:0 Discard 7\n8:0 Total 30\nTotal 30\n\n"));

    [Theory]
    [InlineData("")]                                       // a cut read: no closing Total
    [InlineData("8:0 Read 10\n8:0 Write 20\n")]            // truncated before Total
    [InlineData("8:0 Read ten\nTotal 0\n")]
    [InlineData("8:0 Read\nTotal 0\n")]
    [InlineData("Read 10\nTotal 0\n")]
    [InlineData("8:0 Read 10 11\nTotal 0\n")]
    [InlineData("Total x\n")]
    public void Broken_input(string text) => Assert.Throws<FormatException>(() => BlkioServiceBytesParser.Parse(text));
}

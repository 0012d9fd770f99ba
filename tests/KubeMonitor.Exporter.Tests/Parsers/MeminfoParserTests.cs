using KubeMonitor.Exporter.Parsers;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Exporter.Tests.Parsers;

public sealed class MeminfoParserTests
{
    // Bytes = kB x 1024, from the fixture lines:
    // procfs-8cpu (no MemAvailable): total 15666184 kB; available = MemFree 440324 + Buffers 1020128
    //   + Cached 12007640 + SReclaimable 1738124 - Shmem 1308 = 15204908 kB.
    // node-exporter (no MemAvailable): total 3742148 kB; 225472 + 22040 + 930888 + 44772 - 593840 = 629332 kB.
    // coroot-16cpu: MemTotal 65871236 kB, MemAvailable 23826720 kB.
    // telegraf-hugepages: MemTotal 264026876 kB, MemAvailable 260015468 kB (HugePages_* lines have no unit).
    [Theory]
    [InlineData("procfs-8cpu", 15666184UL * 1024, 15204908UL * 1024)]
    [InlineData("node-exporter", 3742148UL * 1024, 629332UL * 1024)]
    [InlineData("coroot-16cpu", 65871236UL * 1024, 23826720UL * 1024)]
    [InlineData("telegraf-hugepages", 264026876UL * 1024, 260015468UL * 1024)]
    public void Reads_total_and_available_of_real_files(string folder, ulong total, ulong available)
    {
        var memory = MeminfoParser.Parse(File.ReadAllText(RepoPaths.Fixture("proc", folder, "meminfo")));

        Assert.Equal(total, memory.TotalBytes);
        Assert.Equal(available, memory.AvailableBytes);
        Assert.Equal(total - available, memory.UsedBytes);
    }

    [Fact]
    public void Keeps_64_bit_values_above_2_pow_53_exact()
    {
        // 9007199254740993 kB (2^53 + 1) x 1024 = 2^63 + 1024 = 9223372036854776832 bytes: exact in a ulong.
        var memory = MeminfoParser.Parse("MemTotal: 9007199254740993 kB\nMemAvailable: 9007199254740993 kB");

        Assert.Equal(9223372036854776832UL, memory.TotalBytes);
        Assert.Equal(0UL, memory.UsedBytes);
    }

    [Fact]
    public void Clamps_the_fallback_estimate_at_zero() =>
        Assert.Equal(0UL, MeminfoParser.Parse("MemTotal: 10 kB\nMemFree: 1 kB\nBuffers: 0 kB\nCached: 0 kB\nSReclaimable: 0 kB\nShmem: 5 kB\n").AvailableBytes);

    [Theory]
    [InlineData("", "no MemTotal")]
    [InlineData("MemFree: 1 kB\nMemAvailable: 1 kB\n", "no MemTotal")]
    [InlineData("MemTotal: 100 kB\nMemFree: 1 kB\nBuffers: 1 kB\nCached: 1 kB\nShmem: 1 kB\n", "no SReclaimable")] // no MemAvailable, fallback incomplete
    [InlineData("MemTotal: 1x0 kB\nMemAvailable: 1 kB\n", "non-numeric")]
    [InlineData("MemTotal: 100 kB\nMemAvailable: 5", "in kB")] // truncated before its unit
    [InlineData("MemTotal: 18014398509481984 kB\nMemAvailable: 1 kB\n", "64 bits")] // 2^54 kB = 2^64 bytes
    public void Rejects_broken_input(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => MeminfoParser.Parse(text));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}

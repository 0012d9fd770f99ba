using KubeMonitor.Exporter.Parsers;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Exporter.Tests.Parsers;

public sealed class MeminfoParserTests
{
    // The fixture lines, in kB (the collector turns them into bytes, see NodeCollectorTests):
    // procfs-8cpu (no MemAvailable): MemTotal 15666184, MemFree 440324, Buffers 1020128, Cached 12007640,
    //   SReclaimable 1738124, Shmem 1308.
    // node-exporter (no MemAvailable): MemTotal 3742148, MemFree 225472, Buffers 22040, Cached 930888,
    //   SReclaimable 44772, Shmem 593840.
    // coroot-16cpu: MemTotal 65871236, MemAvailable 23826720, MemFree 7540732, Buffers 54332, Cached 15878036,
    //   SReclaimable 1609620, Shmem 717008.
    // telegraf-hugepages: MemTotal 264026876, MemAvailable 260015468, MemFree 260102944, Buffers 115268,
    //   Cached 1203416, SReclaimable 170796, Shmem 5848 (HugePages_* lines have no unit).
    public static TheoryData<string, Meminfo> Fixtures => new()
    {
        { "procfs-8cpu", new Meminfo(15666184, null, 440324, 1020128, 12007640, 1738124, 1308) },
        { "node-exporter", new Meminfo(3742148, null, 225472, 22040, 930888, 44772, 593840) },
        { "coroot-16cpu", new Meminfo(65871236, 23826720, 7540732, 54332, 15878036, 1609620, 717008) },
        { "telegraf-hugepages", new Meminfo(264026876, 260015468, 260102944, 115268, 1203416, 170796, 5848) },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Reads_the_used_lines_of_real_files_in_kb(string folder, Meminfo expected) =>
        Assert.Equal(expected, MeminfoParser.Parse(File.ReadAllText(RepoPaths.Fixture("proc", folder, "meminfo"))));

    [Fact]
    public void Keeps_64_bit_values_above_2_pow_53_exact()
    {
        // 2^53 + 1 kB: a double would round it.
        var meminfo = MeminfoParser.Parse("MemTotal: 9007199254740993 kB\nMemAvailable: 9007199254740993 kB");

        Assert.Equal(new Meminfo(9007199254740993, 9007199254740993, null, null, null, null, null), meminfo);
    }

    [Fact]
    public void Lines_of_the_estimate_are_optional() =>
        Assert.Equal(new Meminfo(100, null, 1, null, null, null, null), MeminfoParser.Parse("MemTotal: 100 kB\nMemFree: 1 kB\n"));

    [Theory]
    [InlineData("", "no MemTotal")]
    [InlineData("MemFree: 1 kB\nMemAvailable: 1 kB\n", "no MemTotal")]
    [InlineData("MemTotal: 1x0 kB\nMemAvailable: 1 kB\n", "non-numeric")]
    [InlineData("MemTotal: 100 kB\nMemAvailable: 5", "in kB")] // truncated before its unit
    [InlineData("MemTotal: 18446744073709551616 kB\nMemAvailable: 1 kB\n", "non-numeric")] // 2^64 kB does not fit
    public void Rejects_broken_input(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => MeminfoParser.Parse(text));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}

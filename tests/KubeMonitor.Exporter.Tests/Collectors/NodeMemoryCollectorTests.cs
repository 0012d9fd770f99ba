using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Collectors;
using KubeMonitor.Exporter.Parsers;
using KubeMonitor.Exporter.Tests.Support;

namespace KubeMonitor.Exporter.Tests.Collectors;

/// <summary>Node memory: the kB of MeminfoParserTests' fixture lines x 1024.</summary>
public sealed class NodeMemoryCollectorTests
{
    // procfs-8cpu (no MemAvailable): available = MemFree 440324 + Buffers 1020128 + Cached 12007640
    //   + SReclaimable 1738124 - Shmem 1308 = 15204908 kB.
    // node-exporter (no MemAvailable): 225472 + 22040 + 930888 + 44772 - 593840 = 629332 kB.
    // coroot-16cpu and telegraf-hugepages: MemAvailable itself.
    [Theory]
    [InlineData("procfs-8cpu", 15666184UL * 1024, 15204908UL * 1024)]
    [InlineData("node-exporter", 3742148UL * 1024, 629332UL * 1024)]
    [InlineData("coroot-16cpu", 65871236UL * 1024, 23826720UL * 1024)]
    [InlineData("telegraf-hugepages", 264026876UL * 1024, 260015468UL * 1024)]
    public void Reads_proc_meminfo_under_the_root_as_bytes(string folder, ulong total, ulong available)
    {
        var snapshot = new NodeSnapshot { NodeName = "node-1", Timestamp = DateTimeOffset.UnixEpoch };
        var collector = new NodeMemoryCollector(FixtureRoots.Proc(folder));

        collector.Collect(snapshot);

        Assert.Equal("meminfo", collector.Name);
        Assert.Equal(new NodeMemory(total, available), snapshot.Memory);
        Assert.Equal(total - available, snapshot.Memory!.UsedBytes);
    }

    [Fact]
    public void Keeps_64_bit_values_above_2_pow_53_exact()
    {
        // 9007199254740993 kB (2^53 + 1) x 1024 = 2^63 + 1024 = 9223372036854776832 bytes: exact in a ulong.
        var memory = NodeMemoryCollector.Memory(new Meminfo(9007199254740993, 9007199254740993, null, null, null, null, null));

        Assert.Equal(9223372036854776832UL, memory.TotalBytes);
        Assert.Equal(0UL, memory.UsedBytes);
    }

    [Fact]
    public void Clamps_the_fallback_estimate_at_zero() =>
        Assert.Equal(0UL, NodeMemoryCollector.Memory(new Meminfo(10, null, 1, 0, 0, 0, 5)).AvailableBytes);

    [Fact]
    public void Fails_without_MemAvailable_and_a_line_of_the_estimate()
    {
        var error = Assert.Throws<FormatException>(() => NodeMemoryCollector.Memory(new Meminfo(100, null, 1, 1, 1, null, 1)));
        Assert.Contains("no SReclaimable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_kb_that_do_not_fit_in_64_bits_as_bytes()
    {
        // 2^54 kB = 2^64 bytes.
        var error = Assert.Throws<OverflowException>(() => NodeMemoryCollector.Memory(new Meminfo(18014398509481984, 1, null, null, null, null, null)));
        Assert.Contains("64 bits", error.Message, StringComparison.Ordinal);
    }
}

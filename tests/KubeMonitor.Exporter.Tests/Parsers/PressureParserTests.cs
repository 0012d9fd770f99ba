using KubeMonitor.Exporter.Parsers;
using static KubeMonitor.Exporter.Tests.Cgroups.CgroupFixtures;

namespace KubeMonitor.Exporter.Tests.Parsers;

public sealed class PressureParserTests
{
    // total, in microseconds as the file says (the pod collector turns them into seconds).
    [Theory]
    [InlineData(CorootV2 + "/cpu.pressure", 465907442UL, 463529433UL)]
    [InlineData(CorootV2 + "/io.pressure", 17657662684UL, 17636951020UL)]
    [InlineData(CorootV2 + "/memory.pressure", 6937313991UL, 6934649214UL)]
    [InlineData(ElasticScope + "/io.pressure", 1154482UL, 1154482UL)]
    [InlineData(ElasticScope + "/memory.pressure", 0UL, 0UL)]
    [InlineData(ElasticSlice + "/io.pressure", 105680790UL, 103282599UL)]
    [InlineData(ElasticSession + "/cpu.pressure", 115056064UL, 29254180UL)]
    [InlineData(ElasticSession + "/io.pressure", 10748370UL, 7726267UL)]
    [InlineData(ElasticSession + "/memory.pressure", 1736583UL, 1677369UL)]
    [InlineData(TelegrafV2 + "/cpu.pressure", 293391454UL, 277111656UL)]
    [InlineData(TelegrafV2 + "/io.pressure", 185162400UL, 184607952UL)]
    [InlineData(TelegrafV2 + "/memory.pressure", 250773UL, 250662UL)]
    [InlineData("proc/node-exporter/pressure/cpu", 14036781UL, 0UL)]
    [InlineData("proc/node-exporter/pressure/io", 159886802UL, 159229614UL)]
    [InlineData("proc/procfs-8cpu/pressure/memory", 15UL, 25UL)]
    public void Some_and_full(string file, ulong some, ulong full) =>
        Assert.Equal(new PressureTotals(some, full), PressureParser.Parse(Text(file)));

    [Theory]
    [InlineData(ElasticSlice + "/cpu.pressure", 2798967170UL)]     // kernels before 5.13: cpu has no full line
    [InlineData(ElasticScope + "/cpu.pressure", 1676316UL)]
    [InlineData("proc/procfs-8cpu/pressure/cpu", 15UL)]
    public void Full_is_optional(string file, ulong some) =>
        Assert.Equal(new PressureTotals(some, null), PressureParser.Parse(Text(file)));

    [Fact]
    public void Full_only_irq_without_trailing_newline() =>
        Assert.Equal(new PressureTotals(null, 8494), PressureParser.Parse(Text("proc/node-exporter/pressure/irq")));

    [Fact]
    public void Totals_above_2_to_the_53_microseconds() =>
        Assert.Equal(9007199254740993UL, PressureParser.Parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=9007199254740993\n").SomeTotalMicroseconds);

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("1\n")]                                                         // cgroup.pressure is a toggle, not PSI
    [InlineData("some avg10=0.00 avg60=0.00 avg300=0.00\n")]                   // truncated: no total
    [InlineData("some avg10=0.00 avg60=0.00 avg300=0.00 total=abc\n")]
    [InlineData("some avg10=0.00 avg60=0.00 avg300=0.00 total=1\nhalf avg10=0.00 total=2\n")]
    public void Broken_input(string text) => Assert.Throws<FormatException>(() => PressureParser.Parse(text));
}

using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Parsers;
using static KubeMonitor.Exporter.Tests.Cgroups.CgroupFixtures;

namespace KubeMonitor.Exporter.Tests.Parsers;

public sealed class PressureParserTests
{
    // total is in microseconds; seconds = total / 10^6.
    [Theory]
    [InlineData(CorootV2 + "/cpu.pressure", 465.907442, 463.529433)]
    [InlineData(CorootV2 + "/io.pressure", 17657.662684, 17636.951020)]
    [InlineData(CorootV2 + "/memory.pressure", 6937.313991, 6934.649214)]
    [InlineData(ElasticScope + "/io.pressure", 1.154482, 1.154482)]
    [InlineData(ElasticScope + "/memory.pressure", 0.0, 0.0)]
    [InlineData(ElasticSlice + "/io.pressure", 105.680790, 103.282599)]
    [InlineData(ElasticSession + "/cpu.pressure", 115.056064, 29.254180)]
    [InlineData(ElasticSession + "/io.pressure", 10.748370, 7.726267)]
    [InlineData(ElasticSession + "/memory.pressure", 1.736583, 1.677369)]
    [InlineData(TelegrafV2 + "/cpu.pressure", 293.391454, 277.111656)]
    [InlineData(TelegrafV2 + "/io.pressure", 185.162400, 184.607952)]
    [InlineData(TelegrafV2 + "/memory.pressure", 0.250773, 0.250662)]
    [InlineData("proc/node-exporter/pressure/cpu", 14.036781, 0.0)]
    [InlineData("proc/node-exporter/pressure/io", 159.886802, 159.229614)]
    [InlineData("proc/procfs-8cpu/pressure/memory", 0.000015, 0.000025)]
    public void Some_and_full(string file, double waiting, double stalled)
    {
        var pressure = PressureParser.Parse(Text(file));
        Assert.Equal(waiting, pressure.WaitingSeconds!.Value, 9);
        Assert.Equal(stalled, pressure.StalledSeconds!.Value, 9);
    }

    [Theory]
    [InlineData(ElasticSlice + "/cpu.pressure", 2798.967170)]     // kernels before 5.13: cpu has no full line
    [InlineData(ElasticScope + "/cpu.pressure", 1.676316)]
    [InlineData("proc/procfs-8cpu/pressure/cpu", 0.000015)]
    public void Full_is_optional(string file, double waiting)
    {
        var pressure = PressureParser.Parse(Text(file));
        Assert.Equal(waiting, pressure.WaitingSeconds!.Value, 9);
        Assert.Null(pressure.StalledSeconds);
    }

    [Fact]
    public void Full_only_irq_without_trailing_newline() =>
        Assert.Equal(new Pressure(null, 0.008494), PressureParser.Parse(Text("proc/node-exporter/pressure/irq")));

    [Fact]
    public void Totals_above_2_to_the_53_microseconds() =>
        Assert.Equal(9007199254.740992, PressureParser.Parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=9007199254740992\n").WaitingSeconds);

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("1\n")]                                                         // cgroup.pressure is a toggle, not PSI
    [InlineData("some avg10=0.00 avg60=0.00 avg300=0.00\n")]                   // truncated: no total
    [InlineData("some avg10=0.00 avg60=0.00 avg300=0.00 total=abc\n")]
    [InlineData("some avg10=0.00 avg60=0.00 avg300=0.00 total=1\nhalf avg10=0.00 total=2\n")]
    public void Broken_input(string text) => Assert.Throws<FormatException>(() => PressureParser.Parse(text));
}

using KubeMonitor.Exporter.Parsers;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Exporter.Tests.Parsers;

public sealed class ProcStatParserTests
{
    // Expected usage ticks = sum over the cpuN lines of columns 1+2+3+6+7 (user+nice+system+irq+softirq),
    // added up by hand from the fixture text; seconds = ticks / 100.
    // procfs-8cpu: 44490+19+21045+1+3410=68965, 47869+23+16474+0+46=64412, 46504+36+15916+0+326=62782,
    //   47054+102+15683+0+60=62899, 28413+25+10776+0+8=39222, 29271+101+11586+0+30=40988,
    //   29152+36+10276+0+29=39493, 29098+268+10164+0+31=39561 -> 418322 ticks (the aggregate "cpu"
    //   line would give 301854+612+111922+2+3944 = 418334: 12 ticks more, which is why it is skipped).
    // node-exporter: same first seven columns as procfs-8cpu; its non-zero guest columns are not summed -> 418322.
    // coroot-16cpu: cpu0 1543422279+20895200+438055236+0+52756146=2055128861, ... cpu15
    //   1191902089+9432394+320188334+0+188874610=1710397427; the 16 lines total 31775028014 ticks.
    // cpu-count-decrease/0: 5006+0+2060+741+1220=9027, 18428+4+5470+1224+416=25542 -> 34569; /1: only
    //   cpu0 7600+0+3991+1375+2088=15054.
    // cpu-times-decrease/0..2: 18+0+0+2+0=20, 38+0+0+1+0=39, 56+0+0+3+0=59 (iowait 80->40->120 is not usage).
    [Theory]
    [InlineData("procfs-8cpu", 418322, 8)]
    [InlineData("node-exporter", 418322, 8)]
    [InlineData("coroot-16cpu", 31775028014, 16)]
    [InlineData("stat-sequences/cpu-count-decrease/0", 34569, 2)]
    [InlineData("stat-sequences/cpu-count-decrease/1", 15054, 1)]
    [InlineData("stat-sequences/cpu-times-decrease/0", 20, 1)]
    [InlineData("stat-sequences/cpu-times-decrease/1", 39, 1)]
    [InlineData("stat-sequences/cpu-times-decrease/2", 59, 1)]
    public void Reads_the_per_cpu_lines_of_real_files(string folder, long expectedUsageTicks, int expectedCpus)
    {
        var text = File.ReadAllText(RepoPaths.Fixture("proc", folder, "stat"));

        var stat = ProcStatParser.Parse(text);

        Assert.Equal(Enumerable.Range(0, expectedCpus), stat.Cpus.Select(c => c.Cpu));
        Assert.Equal((ulong)expectedUsageTicks, UsageTicks(stat));
    }

    [Fact]
    public void Keeps_every_column_of_a_line_in_ticks()
    {
        // node-exporter's cpu7: "cpu7 29098 268 10164 1139282 555 0 31 0 9 8".
        var stat = ProcStatParser.Parse(File.ReadAllText(RepoPaths.Fixture("proc", "node-exporter", "stat")));

        Assert.Equal(new CpuTimes(7, 29098, 268, 10164, 1139282, 555, 0, 31, Steal: 0, Guest: 9, GuestNice: 8), stat.Cpus[7]);
    }

    [Fact]
    public void Reads_past_the_130_KB_intr_line()
    {
        var text = File.ReadAllText(RepoPaths.Fixture("proc", "procfs-8cpu", "stat"));
        Assert.True(text.Split('\n').Max(l => l.Length) > 130_000, "the fixture's intr line is the long-line case");
        // Moving the cpuN lines after the intr line must not change the result.
        var lines = text.Split('\n');
        var reordered = string.Join('\n', lines.Where(l => !l.StartsWith("cpu", StringComparison.Ordinal)).Concat(lines.Where(l => l.StartsWith("cpu", StringComparison.Ordinal))));

        Assert.Equal(418322UL, UsageTicks(ProcStatParser.Parse(reordered)));
    }

    [Fact]
    public void Parses_counters_above_2_pow_53_exactly()
    {
        // 2^53 + 1 = 9007199254740993 ticks of user time: a double would round it.
        var stat = ProcStatParser.Parse("cpu  9007199254740993 0 0 0 0 0 0 0 0 0\ncpu0 9007199254740993 0 0 0 0 0 0 0 0 0\n");

        Assert.Equal(9007199254740993UL, Assert.Single(stat.Cpus).User);
    }

    [Fact]
    public void Accepts_a_last_line_without_newline_and_old_kernels_with_seven_columns() =>
        Assert.Equal(new CpuTimes(0, 1, 2, 3, 100, 4, 5, 4), Assert.Single(ProcStatParser.Parse("cpu0 1 2 3 100 4 5 4").Cpus));

    [Theory]
    [InlineData("", "no per-CPU")]
    [InlineData("cpu  1 2 3 4 5 6 7 8 9 10\nintr 1 2 3\n", "no per-CPU")] // the cpuN lines are missing
    [InlineData("cpu0 1 2 3 4 5\n", "expected at least 7")] // truncated
    [InlineData("cpu0 1 2 3 4 5 6 x 8\n", "non-numeric")]
    [InlineData("cpu0 1 2 3 4 5 6 7 8 -9\n", "non-numeric")] // a column that is not summed is still checked
    [InlineData("cpu0 18446744073709551616 0 0 0 0 0 0\n", "non-numeric")] // 2^64 does not fit
    public void Rejects_broken_input(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => ProcStatParser.Parse(text));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    /// <summary>user + nice + system + irq + softirq over every line: the hand sums above, from the parsed columns.</summary>
    private static ulong UsageTicks(ProcStat stat) =>
        stat.Cpus.Aggregate(0UL, (sum, c) => sum + c.User + c.Nice + c.System + c.Irq + c.SoftIrq);
}

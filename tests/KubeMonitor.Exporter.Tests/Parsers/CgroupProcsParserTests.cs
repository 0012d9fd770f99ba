using KubeMonitor.Exporter.Parsers;

namespace KubeMonitor.Exporter.Tests.Parsers;

public sealed class CgroupProcsParserTests
{
    [Theory]
    [InlineData("", new int[0])]
    [InlineData("12\n345\n", new[] { 12, 345 })]
    [InlineData("7", new[] { 7 })]
    [InlineData("1\n\n2\n", new[] { 1, 2 })]
    public void Pids(string text, int[] pids) => Assert.Equal(pids, CgroupProcsParser.Parse(text));

    [Theory]
    [InlineData("abc\n")]
    [InlineData("-1\n")]
    [InlineData("99999999999\n")]
    public void Broken_input(string text) => Assert.Throws<FormatException>(() => CgroupProcsParser.Parse(text));
}

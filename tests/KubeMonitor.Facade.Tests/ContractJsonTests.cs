using System.Text.Json;
using KubeMonitor.Contracts;

namespace KubeMonitor.Facade.Tests;

/// <summary>The push contract's JSON rules, as both programs use them (contracts/ContractJson).</summary>
public sealed class ContractJsonTests
{
    [Theory]
    [InlineData("2026-11-26T07:00:05Z")]
    [InlineData("2026-11-26T09:00:05+02:00")]
    [InlineData("2026-11-26T07:00:05")] // no offset: UTC, not the reader's local time
    [InlineData("2026-11-26T07:00:05.000Z")]
    public void Timestamps_are_read_as_instants_in_utc(string timestamp)
    {
        var sample = JsonSerializer.Deserialize($$"""{"timestamp":"{{timestamp}}"}""", ContractJson.Default.NodeSample);

        Assert.Equal(new DateTimeOffset(2026, 11, 26, 7, 0, 5, TimeSpan.Zero), sample!.Timestamp);
    }

    [Theory]
    [InlineData("\"yesterday\"")]
    [InlineData("\"11/26/2026\"")]
    [InlineData("1764140405")]
    public void Anything_else_is_refused(string timestamp) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize($$"""{"timestamp":{{timestamp}}}""", ContractJson.Default.NodeSample));

    [Fact]
    public void Timestamps_are_written_in_utc_with_z()
    {
        var json = JsonSerializer.Serialize(new NodeSample { Timestamp = new DateTimeOffset(2026, 11, 26, 9, 0, 5, 250, TimeSpan.FromHours(2)) }, ContractJson.Default.NodeSample);

        Assert.Equal("""{"timestamp":"2026-11-26T07:00:05.25Z"}""", json);
    }

    [Fact]
    public void Numbers_are_never_read_from_strings_and_unknown_fields_are_ignored()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"cpu":{"usageSecondsTotal":"12.5"}}""", ContractJson.Default.NodeSample));

        var sample = JsonSerializer.Deserialize("""{"cpu":{"usageSecondsTotal":12.5,"newerField":1},"gpu":{"x":1}}""", ContractJson.Default.NodeSample);
        Assert.Equal(12.5, sample!.Cpu!.UsageSecondsTotal);
    }
}

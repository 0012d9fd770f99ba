using System.Text;
using System.Text.Json;
using KubeMonitor.Contracts;
using KubeMonitor.Exporter.Push;
using Microsoft.Extensions.Time.Testing;

namespace KubeMonitor.Exporter.Tests.Push;

/// <summary>The push body: the stored batch JSON with the send time spliced in, written anew at each send.</summary>
public sealed class SentAtContentTests
{
    private static readonly DateTimeOffset Collected = new(2026, 11, 26, 7, 0, 5, TimeSpan.Zero);

    private static async Task<string> WriteAsync(HttpContent content)
    {
        using var stream = new MemoryStream();
        await content.CopyToAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task Each_write_is_stamped_with_the_clock_of_that_moment_with_one_length_for_all()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new Batch { Timestamp = Collected, Node = new NodeSample() }, ContractJson.Default.Batch);
        var clock = new FakeTimeProvider(Collected.AddMinutes(3)); // a whole second: the milliseconds are still written
        using var content = new SentAtContent(json, clock);

        var first = await WriteAsync(content);
        clock.Advance(TimeSpan.FromMilliseconds(1234.5));
        var second = await WriteAsync(content);

        Assert.Equal("""{"sentAt":"2026-11-26T07:03:05.000Z","timestamp":"2026-11-26T07:00:05Z","node":{}}""", first);
        Assert.Equal("""{"sentAt":"2026-11-26T07:03:06.234Z","timestamp":"2026-11-26T07:00:05Z","node":{}}""", second);
        Assert.Equal(first.Length, content.Headers.ContentLength);
        Assert.Equal(second.Length, SentAtContent.BodyLength(json));
        var batch = JsonSerializer.Deserialize(second, ContractJson.Default.Batch)!;
        Assert.Equal((Collected.AddMinutes(3).AddMilliseconds(1234), Collected), (batch.SentAt, batch.Timestamp));
    }

    [Fact]
    public async Task An_empty_batch_gets_sentAt_alone()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new Batch(), ContractJson.Default.Batch);
        using var content = new SentAtContent(json, new FakeTimeProvider(Collected));

        var body = await WriteAsync(content);

        Assert.Equal("""{"sentAt":"2026-11-26T07:00:05.000Z"}""", body);
        Assert.Equal(body.Length, content.Headers.ContentLength);
    }

    [Fact]
    public void Anything_but_a_json_object_is_refused() =>
        Assert.Throws<ArgumentException>(() => new SentAtContent("[]"u8.ToArray(), TimeProvider.System));
}

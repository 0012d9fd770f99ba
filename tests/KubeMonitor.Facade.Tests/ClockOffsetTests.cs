using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KubeMonitor.Facade.Tests;

/// <summary>Node clocks are not trusted (docs/api.md section 1): a batch's sentAt shifts it to the facade's clock.</summary>
public sealed class ClockOffsetTests : IDisposable
{
    private readonly FacadeFactory _facade = new();

    public void Dispose() => _facade.Dispose();

    /// <summary>What an exporter whose clock reads <paramref name="nodeClock"/> sends at that moment: one CPU second per second.</summary>
    private static string Batch(DateTimeOffset nodeClock, double cpuSeconds, DateTimeOffset? sentAt = null) => JsonSerializer.Serialize(new
    {
        timestamp = nodeClock,
        sentAt = sentAt ?? nodeClock,
        node = new { cpu = new { usageSecondsTotal = cpuSeconds, capacityCores = 4 } },
        pods = new[] { new { name = "web-1", @namespace = "shop", cpu = new { usageSecondsTotal = cpuSeconds / 2 } } },
    });

    private async Task<JsonNode> PushAsync(string body)
    {
        using var response = await _facade.PostJsonAsync("/api/nodes/node-1/batch", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        return JsonNode.Parse(text)!;
    }

    [Fact]
    public async Task A_node_ten_minutes_behind_is_shifted_to_the_facade_clock_and_loses_nothing()
    {
        var behind = TimeSpan.FromMinutes(-10);
        for (var i = 0; i <= 12; i++)
        {
            _facade.SetTime(i * 5);
            var answer = await PushAsync(Batch(_facade.Clock.GetUtcNow() + behind, i * 5));
            Assert.Equal(2, (int)answer["stored"]!);
            Assert.Equal(600.0, (double)answer["clockOffsetSeconds"]!, 3);
        }

        // Stamped on the facade's clock: inside a 60 s window, every point, and the rate of 1 core.
        var node = await _facade.GetJsonAsync("/api/nodes/node-1");
        Assert.Equal("2026-11-26T07:01:00Z", (string?)node["timestamp"]);
        Assert.Equal(1.0, (double)node["cpu"]!["usageCores"]!, 9);
        var series = await _facade.GetJsonAsync("/api/pods/web-1?window=60");
        Assert.Equal(13, series["points"]!.AsArray().Count);
        Assert.Equal(0.5, (double)series["summary"]!["cpu"]!["usageCores"]!["avg"]!, 9);
    }

    [Fact]
    public async Task A_clock_stepped_back_by_four_minutes_neither_freezes_nor_drops_the_node()
    {
        var offset = TimeSpan.Zero;
        for (var i = 0; i <= 12; i++)
        {
            if (i == 6) offset = TimeSpan.FromMinutes(-4); // NTP steps the node's clock back mid-stream
            _facade.SetTime(i * 5);
            var answer = await PushAsync(Batch(_facade.Clock.GetUtcNow() + offset, i * 5));
            Assert.Equal(2, (int)answer["stored"]!);
            Assert.Equal(0, (int)answer["outOfOrder"]!);
        }
        var series = await _facade.GetJsonAsync("/api/nodes/node-1?window=60");
        var points = series["points"]!.AsArray();
        Assert.Equal(13, points.Count);
        Assert.All(points.Skip(1), p => Assert.Equal(1.0, (double)p!["cpu"]!["usageCores"]!, 9));
    }

    [Fact]
    public async Task A_replayed_batch_keeps_its_collection_time_on_the_facade_clock()
    {
        // Collected at node time 0 with the node 2 minutes behind, sent 30 s later.
        _facade.SetTime(30);
        var nodeNow = _facade.Clock.GetUtcNow() - TimeSpan.FromMinutes(2);
        var answer = await PushAsync(Batch(nodeNow - TimeSpan.FromSeconds(30), 1, sentAt: nodeNow));
        Assert.Equal(120.0, (double)answer["clockOffsetSeconds"]!, 3);
        var node = await _facade.GetJsonAsync("/api/nodes/node-1");
        Assert.Equal("2026-11-26T07:00:00Z", (string?)node["timestamp"]);
    }

    [Fact]
    public async Task Within_a_second_nothing_is_shifted_and_without_sentAt_neither()
    {
        _facade.SetTime(10);
        var answer = await PushAsync(Batch(_facade.Clock.GetUtcNow().AddMilliseconds(-900), 1));
        Assert.Equal(0.0, (double)answer["clockOffsetSeconds"]!);
        var node = await _facade.GetJsonAsync("/api/nodes/node-1");
        Assert.Equal("2026-11-26T07:00:09.1Z", (string?)node["timestamp"]);

        var body = JsonNode.Parse(Batch(_facade.Clock.GetUtcNow().AddSeconds(-5), 2))!.AsObject();
        body.Remove("sentAt");
        var unshifted = await PushAsync(body.ToJsonString());
        Assert.Equal(0.0, (double)unshifted["clockOffsetSeconds"]!);
    }

    [Fact]
    public async Task A_batch_collected_before_a_step_back_and_sent_after_it_is_stamped_at_receipt_not_in_the_future()
    {
        _facade.SetTime(10);
        var now = _facade.Clock.GetUtcNow();
        await PushAsync(Batch(now, 10));
        // Collected at node time "now + 5 s", then NTP steps the node back by 4 minutes before it is sent.
        _facade.SetTime(15);
        var answer = await PushAsync(Batch(now.AddSeconds(5), 15, sentAt: now.AddSeconds(5) - TimeSpan.FromMinutes(4)));
        Assert.Equal(240.0, (double)answer["clockOffsetSeconds"]!, 3);
        Assert.Equal("2026-11-26T07:00:15Z", (string?)(await _facade.GetJsonAsync("/api/nodes/node-1"))["timestamp"]);
        // The next batch, stamped on the stepped clock, is stored: the series did not freeze.
        _facade.SetTime(20);
        var next = await PushAsync(Batch(_facade.Clock.GetUtcNow() - TimeSpan.FromMinutes(4), 20));
        Assert.Equal(0, (int)next["outOfOrder"]!);
        Assert.Equal("2026-11-26T07:00:20Z", (string?)(await _facade.GetJsonAsync("/api/nodes/node-1"))["timestamp"]);
    }

    [Fact]
    public async Task A_shift_that_puts_samples_far_ahead_is_refused_whole()
    {
        // sentAt in the past but the samples in the future: after the shift they lie more than 5 minutes ahead.
        _facade.SetTime(0);
        var now = _facade.Clock.GetUtcNow();
        using var response = await _facade.PostJsonAsync("/api/nodes/node-1/batch", Batch(now.AddMinutes(3), 1, sentAt: now.AddMinutes(-3)));
        var problem = await FacadeFactory.AssertProblemAsync(response, 400);
        Assert.Contains("clock offset", (string?)problem["detail"], StringComparison.Ordinal);
        await _facade.GetProblemAsync("/api/nodes/node-1", 404);
    }
}

using System.Text.Json.Nodes;
using KubeMonitor.Contracts;
using KubeMonitor.Facade.Tests.Prometheus;

namespace KubeMonitor.Facade.Tests;

/// <summary>The node endpoints over either query source (the sealed classes at the end): the same pushes give the same answers.</summary>
public abstract class NodesApiTests(Func<Dictionary<string, string?>?, FacadeFactory> newFacade) : IDisposable
{
    protected FacadeFactory Facade { get; } = newFacade(null);

    public void Dispose()
    {
        Facade.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>node-1 at t = 0, 5, 10, 15 s: CPU 100, 110, 120, 125 s on 4 cores; disk reads 0, 1000, 3000, 3000 bytes.</summary>
    protected async Task PushFourSamplesAsync()
    {
        double[] cpu = [100, 110, 120, 125];
        double[] read = [0, 1000, 3000, 3000];
        for (var i = 0; i < 4; i++)
        {
            Facade.SetTime(i * 5);
            await Facade.PushAsync("/api/nodes/node-1", Bodies.Node(i * 5, cpu[i], read: read[i], write: 10 * i, rx: 0, tx: 0));
        }
    }

    [Fact]
    public async Task Latest_view_has_rates_over_the_last_two_samples_utilizations_and_totals()
    {
        await PushFourSamplesAsync();
        var node = await Facade.GetJsonAsync("/api/nodes/node-1");

        Assert.Equal("node-1", (string?)node["name"]);
        Assert.Equal("2026-11-26T07:00:15Z", (string?)node["timestamp"]);
        Assert.Equal(1.0, (double)node["cpu"]!["usageCores"]!, 12);          // (125 - 120) / 5
        Assert.Equal(4.0, (double)node["cpu"]!["capacityCores"]!);
        Assert.Equal(0.25, (double)node["cpu"]!["utilization"]!, 12);
        Assert.Equal(125.0, (double)node["cpu"]!["usageSecondsTotal"]!);
        Assert.Equal(400.0, (double)node["memory"]!["usedBytes"]!);
        Assert.Equal(0.4, (double)node["memory"]!["utilization"]!, 12);
        Assert.Equal(0.0, (double)node["disk"]!["readBytesPerSecond"]!);
        Assert.Equal(2.0, (double)node["disk"]!["writeBytesPerSecond"]!, 12); // (30 - 20) / 5
        Assert.Equal(3000.0, (double)node["disk"]!["readBytesTotal"]!);

        var list = await Facade.GetJsonAsync("/api/nodes");
        Assert.Equal("node-1", (string?)list["items"]!.AsArray().Single()!["name"]);
    }

    [Fact]
    public async Task One_sample_gives_null_rates_not_zero()
    {
        await Facade.PushAsync("/api/nodes/node-1", Bodies.Node(0, 100));
        var node = (JsonObject)(await Facade.GetJsonAsync("/api/nodes/node-1"));
        var cpu = (JsonObject)node["cpu"]!;
        Assert.True(cpu.ContainsKey("usageCores"));
        Assert.Null(cpu["usageCores"]);
        Assert.Null(cpu["utilization"]);
        Assert.Equal(100.0, (double)cpu["usageSecondsTotal"]!);
        // Sections the collector did not send are there, with nulls.
        Assert.Null(node["disk"]!["readBytesTotal"]);
    }

    [Fact]
    public async Task Window_points_are_the_samples_in_now_minus_w_to_now_and_the_first_rate_uses_the_sample_before()
    {
        await PushFourSamplesAsync();
        Facade.SetTime(17);
        var series = await Facade.GetJsonAsync("/api/nodes/node-1?window=10"); // [7, 17]: samples at 10 and 15

        Assert.Equal("node-1", (string?)series["name"]);
        Assert.Equal(10, (int)series["windowSeconds"]!);
        Assert.Equal(5, (int)series["stepSeconds"]!);
        var points = series["points"]!.AsArray();
        Assert.Equal(["2026-11-26T07:00:10Z", "2026-11-26T07:00:15Z"], points.Select(p => (string?)p!["timestamp"]));
        Assert.Equal(2.0, (double)points[0]!["cpu"]!["usageCores"]!, 12); // uses the sample at 5, outside the window
        Assert.Equal(1.0, (double)points[1]!["cpu"]!["usageCores"]!, 12);

        var usage = series["summary"]!["cpu"]!["usageCores"]!;
        Assert.Equal(1.0, (double)usage["min"]!, 12);
        Assert.Equal(1.5, (double)usage["avg"]!, 12);
        Assert.Equal(2.0, (double)usage["max"]!, 12);
        var read = series["summary"]!["disk"]!["readBytesPerSecond"]!;
        Assert.Equal(0.0, (double)read["min"]!);
        Assert.Equal(200.0, (double)read["avg"]!, 12);                    // 400 and 0
        Assert.Equal(400.0, (double)read["max"]!, 12);
        Assert.Equal(0.4, (double)series["summary"]!["memory"]!["utilization"]!["avg"]!, 12);
    }

    [Fact]
    public async Task Window_bounds_are_inclusive_at_both_ends()
    {
        await PushFourSamplesAsync();
        Facade.SetTime(15);
        var points = (await Facade.GetJsonAsync("/api/nodes/node-1?window=10&step=2"))["points"]!.AsArray();
        Assert.Equal(["2026-11-26T07:00:05Z", "2026-11-26T07:00:10Z", "2026-11-26T07:00:15Z"], points.Select(p => (string?)p!["timestamp"]));
        var whole = (await Facade.GetJsonAsync("/api/nodes/node-1?window=3600"))["points"]!.AsArray();
        Assert.Equal(4, whole.Count);
        Assert.Null(whole[0]!["cpu"]!["usageCores"]); // nothing before the first sample
    }

    [Fact]
    public async Task Default_step_is_capped_to_a_shorter_window()
    {
        await PushFourSamplesAsync();
        var series = await Facade.GetJsonAsync("/api/nodes/node-1?window=3");
        Assert.Equal(3, (int)series["stepSeconds"]!);
    }

    [Fact]
    public async Task A_counter_that_goes_down_is_a_reset_with_no_rate_and_later_intervals_are_normal()
    {
        double[] cpu = [100, 110, 5, 15];
        for (var i = 0; i < 4; i++)
        {
            Facade.SetTime(i * 5);
            await Facade.PushAsync("/api/nodes/node-1", Bodies.Node(i * 5, cpu[i]));
        }
        var points = (await Facade.GetJsonAsync("/api/nodes/node-1?window=60"))["points"]!.AsArray();
        Assert.Equal([null, 2.0, null, 2.0], points.Select(p => (double?)p!["cpu"]!["usageCores"]));
        var usage = (await Facade.GetJsonAsync("/api/nodes/node-1?window=60"))["summary"]!["cpu"]!["usageCores"]!;
        Assert.Equal(2.0, (double)usage["min"]!, 12);
        Assert.Equal(2.0, (double)usage["max"]!, 12);
    }

    [Fact]
    public async Task Unknown_node_is_a_404_problem()
    {
        await PushFourSamplesAsync();
        await Facade.GetProblemAsync("/api/nodes/node-2", 404);
        await Facade.GetProblemAsync("/api/nodes/node-2?window=60", 404);
    }

    [Fact]
    public async Task A_stale_node_leaves_the_list()
    {
        await Facade.PushAsync("/api/nodes/node-1", Bodies.Node(0, 100));
        Facade.SetTime(100);
        await Facade.PushAsync("/api/nodes/node-2", Bodies.Node(100, 100));

        Facade.SetTime(300); // node-1's newest is exactly 5 min old: still live
        Assert.Equal(2, (await Facade.GetJsonAsync("/api/nodes"))["items"]!.AsArray().Count);

        Facade.SetTime(311); // past 5 min
        var names = (await Facade.GetJsonAsync("/api/nodes"))["items"]!.AsArray().Select(n => (string?)n!["name"]);
        Assert.Equal(["node-2"], names);
        await Facade.GetProblemAsync("/api/nodes/node-1", 404);
        await Facade.GetProblemAsync("/api/nodes/node-1?window=60", 404);
    }
}

/// <summary>The embedded store's own part: what it keeps, drops, counts and frees.</summary>
public sealed class NodesApiOnMemoryTests() : NodesApiTests(settings => new FacadeFactory(settings))
{
    [Fact]
    public async Task Duplicates_are_accepted_once_and_older_samples_are_dropped_and_counted()
    {
        await PushFourSamplesAsync();
        var before = (await Facade.GetJsonAsync("/api/nodes/node-1?window=60")).ToJsonString();

        using var duplicate = await Facade.PostJsonAsync("/api/nodes/node-1", System.Text.Json.JsonSerializer.Serialize(Bodies.Node(15, 999)));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, duplicate.StatusCode);
        Assert.Equal(1, (int)JsonNode.Parse(await duplicate.Content.ReadAsStringAsync())!["duplicates"]!);
        using var old = await Facade.PostJsonAsync("/api/nodes/node-1", System.Text.Json.JsonSerializer.Serialize(Bodies.Node(7, 1)));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, old.StatusCode);
        Assert.Equal(1, (int)JsonNode.Parse(await old.Content.ReadAsStringAsync())!["outOfOrder"]!);

        Assert.Equal(before, (await Facade.GetJsonAsync("/api/nodes/node-1?window=60")).ToJsonString());
        var metrics = await Facade.CreateClient().GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("kubemonitor_facade_samples_dropped_total{reason=\"duplicate\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("kubemonitor_facade_samples_dropped_total{reason=\"out_of_order\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_nodes_memory_is_freed_by_the_sweep()
    {
        await Facade.PushAsync("/api/nodes/node-1", Bodies.Node(0, 100));
        Facade.SetTime(100);
        await Facade.PushAsync("/api/nodes/node-2", Bodies.Node(100, 100));
        Assert.Equal(2L, Facade.Store.SeriesCount);

        Facade.SetTime(311); // node-1 past 5 min, and a sweep (every 10 s) has run since
        Assert.Equal(1L, Facade.Store.SeriesCount);

        Facade.SetTime(500);
        Assert.Equal(0L, Facade.Store.SeriesCount);
        Assert.Equal(0L, Facade.Store.BytesHeld());
    }

    [Fact]
    public async Task Samples_past_the_retention_are_dropped()
    {
        using var facade = new FacadeFactory(new() { ["Facade:Retention"] = "00:01:00", ["Facade:Staleness"] = "00:10:00" });
        for (var t = 0; t <= 120; t += 10)
        {
            facade.SetTime(t);
            await facade.PushAsync("/api/nodes/node-1", Bodies.Node(t, t));
        }
        facade.SetTime(125);
        var points = (await facade.GetJsonAsync("/api/nodes/node-1?window=60"))["points"]!.AsArray();
        Assert.Equal(6, points.Count); // 70..120
        await facade.GetProblemAsync("/api/nodes/node-1?window=61", 400);
        // The sample before the window (60) was past the retention at the last write (t=120 -> kept from 60): rate at 70 exists.
        Assert.Equal(1.0, (double)points[0]!["cpu"]!["usageCores"]!, 12);
    }
}

/// <summary>What a backend's days of samples allow where the embedded store's hour would refuse (Facade:Prometheus:MaxWindow).</summary>
public sealed class NodesApiOnPrometheusTests() : NodesApiTests(settings => new PrometheusFacadeFactory(settings))
{
    private const int Day = 86_400;

    [Fact]
    public async Task A_window_of_days_is_answered_a_step_at_a_time_up_to_the_longest_window()
    {
        // node-1 every 4 minutes for the 6.5 days before now, in one write: 1, 2 or 3 cores by the hour.
        const int Every = 240;
        static double Cores(long time) => 1 + ((long)Math.Floor(time / 3600.0) % 3 + 3) % 3;
        var facade = (PrometheusFacadeFactory)Facade;
        var samples = new List<MetricSample>();
        double cpu = 0;
        for (long t = -13 * Day / 2; t <= 0; t += Every)
        {
            cpu += Every * Cores(t - 1);
            var sample = new NodeSample { Timestamp = FacadeFactory.Start.AddSeconds(t), Cpu = new() { UsageSecondsTotal = cpu, CapacityCores = 4 } };
            samples.AddRange(facade.Series.ForNode("node-1", sample, defaultTimestampMs: 0));
        }
        await facade.Backend.WriteAsync(samples);

        var series = await Facade.GetJsonAsync($"/api/nodes/node-1?window={6 * Day}&step=3600");

        Assert.Equal(6 * Day, (int)series["windowSeconds"]!);
        Assert.Equal(3600, (int)series["stepSeconds"]!);
        // Each hour's last sample (at 56 minutes past), and the one at now; each rate over its own 4 minutes.
        long[] expected = [.. Enumerable.Range(-144, 144).Select(hour => hour * 3600L + 3600 - Every), 0];
        var points = series["points"]!.AsArray();
        Assert.Equal(expected.Select(t => FacadeFactory.At(t)), points.Select(p => (string?)p!["timestamp"]));
        Assert.Equal(expected.Select(t => (double?)Cores(t - 1)), points.Select(p => (double?)p!["cpu"]!["usageCores"]));
        var usage = series["summary"]!["cpu"]!["usageCores"]!;
        Assert.Equal((1.0, 3.0), ((double)usage["min"]!, (double)usage["max"]!));

        // The default longest window is 7 days: all 6.5 of them, an hour a point.
        Assert.Equal(13 * 12 + 1, (await Facade.GetJsonAsync($"/api/nodes/node-1?window={7 * Day}&step=3600"))["points"]!.AsArray().Count);
        await Facade.GetProblemAsync($"/api/nodes/node-1?window={7 * Day + 1}", 400);
    }

    [Fact]
    public async Task A_window_past_the_configured_longest_window_is_a_400()
    {
        using var facade = new PrometheusFacadeFactory(new() { ["Facade:Prometheus:MaxWindow"] = "1.00:00:00" });
        await facade.PushAsync("/api/nodes/node-1", Bodies.Node(0, 100));

        Assert.Single((await facade.GetJsonAsync($"/api/nodes/node-1?window={Day}"))["points"]!.AsArray());
        var problem = await facade.GetProblemAsync($"/api/nodes/node-1?window={Day + 1}", 400);
        Assert.Contains($"from 1 to {Day}", (string?)problem["detail"], StringComparison.Ordinal);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Facade.Tests.Durable;

/// <summary>
/// The built facade with <c>Facade:DataDirectory</c>, killed with SIGKILL in the middle of a
/// stream of pushes and started again: every push it answered 202 is there, and every push is
/// there whole or not at all. And on a full, then read-only, disk: pushes answer 503, stored nothing.
/// </summary>
[Collection(RealLoad.Name)]
public sealed class DurableProcessTests : IDisposable
{
    private const int PodsPerBatch = 5;
    private readonly string _directory = DurableStoreFixture.NewDirectory();
    private readonly DateTimeOffset _base = DateTimeOffset.UtcNow.AddMinutes(-10);

    public void Dispose()
    {
        if (File.ReadAllText("/proc/mounts").Contains(_directory, StringComparison.Ordinal)) Run("umount", _directory);
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_facade_killed_mid_push_keeps_every_acknowledged_push_whole()
    {
        string[] settings = ["--Facade:DataDirectory", _directory, "--Facade:Staleness", "00:30:00"];
        var acknowledged = new ConcurrentDictionary<string, ConcurrentBag<int>>();
        var facade = await FacadeProcess.StartAsync(settings);
        string[] nodes = ["node-0", "node-1", "node-2", "node-3"];
        var pushers = nodes.Select(node => Task.Run(() => PushUntilRefusedAsync(facade.Port, node, acknowledged.GetOrAdd(node, _ => [])))).ToArray();
        await Task.Delay(1500);
        Assert.All(nodes, node => Assert.NotEmpty(acknowledged[node]));
        await facade.DisposeAsync(); // SIGKILL, pushes in flight
        await Task.WhenAll(pushers);

        await using var restarted = await FacadeProcess.StartAsync(settings);
        Assert.Contains("Loaded the stored window", restarted.Log, StringComparison.Ordinal);
        foreach (var node in nodes)
        {
            var stored = await TicksAsync(restarted.Http, $"/api/nodes/{node}?window=3600");
            Assert.Superset(acknowledged[node].ToHashSet(), stored);
            for (var pod = 0; pod < PodsPerBatch; pod++)
            {
                // Whole or not at all: each pod holds exactly the node's ticks.
                Assert.Equal(stored, await TicksAsync(restarted.Http, $"/api/pods/{node}-pod-{pod}?namespace=durable&window=3600"));
            }
        }
    }

    [Fact]
    public async Task On_a_full_then_read_only_disk_pushes_answer_503_and_store_nothing()
    {
        Run("mount", "-t", "tmpfs", "-o", "size=40k", "tmpfs", _directory);
        string[] settings = ["--Facade:DataDirectory", _directory, "--Facade:Staleness", "00:30:00"];
        var acknowledged = new ConcurrentBag<int>();
        await using (var facade = await FacadeProcess.StartAsync(settings))
        {
            var refusal = await PushUntilRefusedAsync(facade.Port, "node-0", acknowledged);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refusal!.Value.Status);
            Assert.Contains("cannot be written", refusal.Value.Detail, StringComparison.Ordinal);
            Assert.Equal(acknowledged.ToHashSet(), await TicksAsync(facade.Http, "/api/nodes/node-0?window=3600"));
            Assert.Contains("pushes answer 503 until it can", facade.Log, StringComparison.Ordinal);
        }

        Run("mount", "-o", "remount,ro", _directory);
        await using var readOnly = await FacadeProcess.StartAsync(settings);
        Assert.Equal(acknowledged.ToHashSet(), await TicksAsync(readOnly.Http, "/api/nodes/node-0?window=3600"));
        using var push = await PushAsync(readOnly.Http, "node-0", 595);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, push.StatusCode);
        Assert.Contains("Read-only file system", await push.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Pushes tick after tick until the facade answers anything but 202 (or goes away); returns that answer.</summary>
    private async Task<(HttpStatusCode Status, string Detail)?> PushUntilRefusedAsync(int port, string node, ConcurrentBag<int> acknowledged)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        for (var tick = 0; tick < 590; tick++)
        {
            try
            {
                using var answer = await PushAsync(http, node, tick);
                if (answer.StatusCode != HttpStatusCode.Accepted) return (answer.StatusCode, await answer.Content.ReadAsStringAsync());
                acknowledged.Add(tick);
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }
        return null;
    }

    private Task<HttpResponseMessage> PushAsync(HttpClient http, string node, int tick)
    {
        var timestamp = _base.AddSeconds(tick).UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        var pods = string.Join(',', Enumerable.Range(0, PodsPerBatch).Select(pod =>
            $$$"""{"name":"{{{node}}}-pod-{{{pod}}}","namespace":"durable","cpu":{"usageSecondsTotal":{{{tick * 0.25 + pod}}}},"memory":{"workingSetBytes":{{{4096 * (1000 + tick)}}}}}"""));
        var body = $$$"""{"timestamp":"{{{timestamp}}}","node":{"cpu":{"usageSecondsTotal":{{{tick * 2.5}}},"capacityCores":4}},"pods":[{{{pods}}}]}""";
        return http.PostAsync(new Uri($"/api/nodes/{node}/batch", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
    }

    /// <summary>The ticks (seconds after the base) of a series' points.</summary>
    private async Task<HashSet<int>> TicksAsync(HttpClient http, string path)
    {
        var series = JsonNode.Parse(await http.GetStringAsync(new Uri(path, UriKind.Relative)))!;
        return [.. series["points"]!.AsArray().Select(p => (int)Math.Round((DateTimeOffset.Parse((string)p!["timestamp"]!, CultureInfo.InvariantCulture) - _base).TotalSeconds))];
    }

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {error}");
    }
}

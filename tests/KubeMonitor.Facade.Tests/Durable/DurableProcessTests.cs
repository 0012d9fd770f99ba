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
/// While it loads, it is not ready and refuses pushes.
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

    /// <summary>
    /// The log reaches the restarted facade through a named pipe, so its load waits for the test:
    /// until then /readyz answers 503 (a replica that answered would give a shorter window than
    /// its peer), /livez 200 (a liveness probe must not kill a loading replica), and a push 503
    /// with Retry-After, stored nowhere; once the log is read, it is ready with what it held.
    /// </summary>
    [Fact]
    public async Task Until_its_window_is_loaded_readyz_and_pushes_answer_503()
    {
        string[] settings = ["--Facade:DataDirectory", _directory, "--Facade:Staleness", "00:30:00"];
        var acknowledged = new HashSet<int>();
        await using (var facade = await FacadeProcess.StartAsync(settings))
        {
            for (var tick = 0; tick < 10; tick++)
            {
                using var answer = await PushAsync(facade.Http, "node-0", tick);
                Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
                acknowledged.Add(tick);
            }
        } // SIGKILL: no checkpoint, all of it in the log
        var segment = Assert.Single(Directory.GetFiles(Path.Combine(_directory, "wal")));
        var held = Path.Combine(_directory, "segment-held-back");
        File.Move(segment, held);
        Run("mkfifo", segment);

        await using var loading = await FacadeProcess.StartAsync(settings, waitUntilReady: false);
        await Until(async () => await StatusAsync(loading.Http, "/readyz") == HttpStatusCode.ServiceUnavailable, loading);
        for (var check = 0; check < 10; check++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(loading.Http, "/readyz"));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(loading.Http, "/livez"));
            await Task.Delay(100);
        }
        using (var refused = await PushAsync(loading.Http, "node-0", 100))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Contains("loading its window", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Hand the log over; dd ends (by timeout, if the facade never opens the pipe) either way.
        Run("timeout", "30", "dd", $"if={held}", $"of={segment}", "status=none");
        await loading.WaitUntilReadyAsync();
        Assert.Equal(acknowledged, await TicksAsync(loading.Http, "/api/nodes/node-0?window=3600"));
        var metrics = await loading.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains($"kubemonitor_facade_wal_records_replayed_total {acknowledged.Count}\n", metrics, StringComparison.Ordinal);
        using var accepted = await PushAsync(loading.Http, "node-0", 100);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    private static async Task<HttpStatusCode?> StatusAsync(HttpClient http, string path)
    {
        try
        {
            using var answer = await http.GetAsync(new Uri(path, UriKind.Relative));
            return answer.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null; // not listening yet
        }
    }

    /// <summary>Waits (about 30 s at most) for a condition on a starting facade; fails with its log.</summary>
    private static async Task Until(Func<Task<bool>> condition, FacadeProcess facade)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (await condition()) return;
            await Task.Delay(100);
        }
        Assert.Fail("The condition did not come true:\n" + facade.Log);
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

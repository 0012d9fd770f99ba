using System.Net;
using System.Net.Sockets;
using System.Text;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Facade.Tests;

/// <summary>
/// On real Kestrel: heavy reads are limited (Facade:MaxConcurrentReads) while a slow client holds
/// one, and pushes, health and light reads go on; pushes are taken on Facade:PushPort only.
/// </summary>
[Collection(RealLoad.Name)]
public sealed class HeavyReadTests
{
    // About 7 MB of list: more than the server's socket send buffer can take (up to 4 MiB by
    // default), so the answer to a client that does not read stays unfinished.
    private const int Pods = 20_000;

    private static async Task PushPodsAsync(HttpClient http, int pods)
    {
        var now = DateTimeOffset.UtcNow.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        for (var first = 0; first < pods; first += 1000)
        {
            var items = Enumerable.Range(first, Math.Min(1000, pods - first)).Select(i =>
                $$$"""{"name":"pod-{{{i:D5}}}","namespace":"ns-{{{i % 10}}}","cpu":{"usageSecondsTotal":{{{i}}}},"memory":{"workingSetBytes":{{{i * 4096}}}}}""");
            var body = $$"""{"timestamp":"{{now}}","pods":[{{string.Join(',', items)}}]}""";
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var pushed = await http.PostAsync(new Uri($"/api/nodes/node-{first / 1000}/batch", UriKind.Relative), content);
            Assert.Equal(HttpStatusCode.Accepted, pushed.StatusCode);
        }
    }

    /// <summary>A client that reads nothing more after the headers: its tiny receive buffer fills, and the answer is held.</summary>
    private static HttpClient SlowClient(int port) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

    [Fact]
    public async Task Past_the_limit_heavy_reads_are_429_while_pushes_health_and_light_reads_go_on()
    {
        await using var facade = await FacadeProcess.StartAsync(["--Facade:MaxConcurrentReads", "1", "--Facade:MaxSeriesPerNode", "5000"]);
        await PushPodsAsync(facade.Http, Pods);

        using var slow = SlowClient(facade.Port);
        using var held = await slow.GetAsync(new Uri("/api/pods", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        await using var body = await held.Content.ReadAsStreamAsync();
        var start = new byte[64];
        var startLength = await body.ReadAsync(start);
        Assert.True(startLength > 0);

        // The list is being written to a client that does not read: every other heavy read is refused at once.
        foreach (var path in new[] { "/api/pods", "/api/namespaces", "/api/namespaces/ns-1", "/api/nodes/node-0?window=60", "/api/pods/pod-00001?window=60" })
        {
            using var refused = await facade.Http.GetAsync(new Uri(path, UriKind.Relative));
            await FacadeFactory.AssertProblemAsync(refused, 429);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"{path}: Retry-After");
        }
        // Pushes, health and one pod's latest view are not limited.
        await PushPodsAsync(facade.Http, 1000);
        using (var live = await facade.Http.GetAsync(new Uri("/livez", UriKind.Relative))) Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using (var one = await facade.Http.GetAsync(new Uri("/api/pods/pod-00001", UriKind.Relative))) Assert.Equal(HttpStatusCode.OK, one.StatusCode);

        // Once the slow client has read its list to the end, the permit is back.
        var rest = await new StreamReader(body).ReadToEndAsync();
        Assert.EndsWith("]}", rest, StringComparison.Ordinal);
        Assert.Equal(Pods, System.Text.Json.Nodes.JsonNode.Parse(Encoding.UTF8.GetString(start, 0, startLength) + rest)!["items"]!.AsArray().Count);
        using var again = await facade.Http.GetAsync(new Uri("/api/namespaces", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("kubemonitor_facade_reads_rejected_total 5", await facade.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_push_port_pushes_are_taken_there_only_and_reads_everywhere()
    {
        var pushPort = FacadeProcess.FreePort();
        await using var facade = await FacadeProcess.StartAsync(["--Facade:PushPort", pushPort.ToString(System.Globalization.CultureInfo.InvariantCulture)], [pushPort]);
        using var onPushPort = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pushPort}") };

        using (var content = new StringContent("""{"cpu":{"usageSecondsTotal":1}}""", Encoding.UTF8, "application/json"))
        using (var wrongPort = await facade.Http.PostAsync(new Uri("/api/nodes/node-1", UriKind.Relative), content))
        {
            var problem = await FacadeFactory.AssertProblemAsync(wrongPort, 404);
            Assert.Contains($"port {pushPort}", (string?)problem["detail"], StringComparison.Ordinal);
        }
        await using (var nothing = await onPushPort.GetStreamAsync(new Uri("/api/nodes", UriKind.Relative)))
        {
            Assert.Equal("{\"items\":[]}", await new StreamReader(nothing).ReadToEndAsync());
        }

        await PushPodsAsync(onPushPort, 10);
        foreach (var reader in new[] { facade.Http, onPushPort })
        {
            var pods = System.Text.Json.Nodes.JsonNode.Parse(await reader.GetStringAsync(new Uri("/api/pods", UriKind.Relative)))!;
            Assert.Equal(10, pods["items"]!.AsArray().Count);
        }
    }
}

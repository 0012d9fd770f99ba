using System.Globalization;
using System.Text.Json.Nodes;
using static KubeMonitor.EndToEnd.Tests.EndToEndEnvironment;

namespace KubeMonitor.EndToEnd.Tests;

public sealed partial class EndToEndTests
{
    /// <summary>
    /// Report check 3: iperf3 between two pods' network namespaces over a veth pair. The kernel
    /// counts every byte on the wire (headers, the control connection), iperf3 counts payload, so
    /// each pod's counters and rates are at least iperf3's bytes and at most 5 % above them.
    /// </summary>
    [Fact]
    public async Task Iperf3_between_two_pods_shows_in_both_pods_network_rates_and_totals()
    {
        const string port = "5201";
        var serverBefore = await env.PodAsync(env.Server);
        var clientBefore = await env.PodAsync(env.Client);
        // Both pods' views must be of the same collection: read again if a new one came between.
        if (!SameCollection(Timestamp(serverBefore), Timestamp(clientBefore)))
        {
            var newer = new[] { Timestamp(serverBefore), Timestamp(clientBefore) }.Max() - Interval / 2;
            serverBefore = await PodSampleAtOrAfter(env.Server, newer);
            clientBefore = await PodSampleAtOrAfter(env.Client, newer);
            Assert.True(SameCollection(Timestamp(serverBefore), Timestamp(clientBefore)), "The pods' views before the transfer are of different collections.");
        }

        var report = Path.Combine(Path.GetTempPath(), $"kme2e-iperf3-{Guid.NewGuid():N}.json");
        using var server = env.Server.Start("iperf3", "--server", "--one-off", "--bind", env.ServerAddress, "--port", port);
        try
        {
            await Support.Eventually.Until(() => Task.FromResult(
                Support.NetworkNamespaces.Run("ip", "netns", "exec", env.Server.NetworkNamespace, "ss", "-Hltn", $"sport = :{port}").Trim().Length > 0),
                TimeSpan.FromSeconds(15), "the iperf3 server to listen");
            using var client = env.Client.Start("iperf3", "--client", env.ServerAddress, "--port", port,
                "--time", "5", "--bitrate", "200M", "--json", "--logfile", report);
            await WaitForExitAsync(client, TimeSpan.FromSeconds(60));
            Assert.True(client.ExitCode == 0, $"iperf3 client failed: {(File.Exists(report) ? File.ReadAllText(report) : "no report")}");
            await WaitForExitAsync(server, TimeSpan.FromSeconds(15));
        }
        finally
        {
            Stop(server);
        }
        var end = JsonNode.Parse(File.ReadAllText(report))!["end"]!;
        File.Delete(report);
        var sent = end["sum_sent"]!["bytes"]!.GetValue<double>();
        var received = end["sum_received"]!["bytes"]!.GetValue<double>();
        Assert.True(received > 10_000_000, $"iperf3 moved only {received} bytes.");

        var ended = DateTime.UtcNow;
        var serverAfter = await PodSampleAtOrAfter(env.Server, ended);
        var clientAfter = await PodSampleAtOrAfter(env.Client, Timestamp(serverAfter) - Interval / 2);
        if (!SameCollection(Timestamp(clientAfter), Timestamp(serverAfter)))
        {
            serverAfter = await PodSampleAtOrAfter(env.Server, Timestamp(clientAfter) - Interval / 2);
        }
        Assert.True(SameCollection(Timestamp(serverAfter), Timestamp(clientAfter)), "The pods' views after the transfer are of different collections.");

        // Totals: the counter deltas over the transfer.
        AssertWireBytes("client tx total", Delta(clientBefore, clientAfter, "txBytesTotal"), sent);
        AssertWireBytes("server rx total", Delta(serverBefore, serverAfter, "rxBytesTotal"), received);

        // Rates: integrated over the same samples they give the same bytes.
        var clientSeries = await env.PodAsync(env.Client, "&window=120");
        var serverSeries = await env.PodAsync(env.Server, "&window=120");
        AssertWireBytes("client txBytesPerSecond", Integrate(clientSeries, "txBytesPerSecond", clientBefore, clientAfter), sent);
        AssertWireBytes("server rxBytesPerSecond", Integrate(serverSeries, "rxBytesPerSecond", serverBefore, serverAfter), received);

        // The other directions carry only ACKs and the control connection: small and not negative.
        var acks = Delta(serverBefore, serverAfter, "txBytesTotal");
        Assert.InRange(acks, 0, sent * 0.05);
        // One veth pair and nothing else in these namespaces: what one end sends the other receives (a packet in flight at most).
        Assert.InRange(Delta(clientBefore, clientAfter, "rxBytesTotal"), acks - 1600, acks + 1600);
    }

    /// <summary>Bytes from a pod's rate over the time between two of its samples.</summary>
    private static double Integrate(JsonNode series, string field, JsonNode before, JsonNode after)
    {
        var (from, to) = (Timestamp(before), Timestamp(after));
        return MeanRate(series, "network", field, from, to) * (to - from).TotalSeconds;
    }

    private static double Delta(JsonNode before, JsonNode after, string field) =>
        Number(after, "network", field)!.Value - Number(before, "network", field)!.Value;

    private void AssertWireBytes(string what, double measured, double payload)
    {
        Measured($"{what}: {measured:0} bytes, iperf3 {payload:0} ({(measured / payload - 1) * 100:+0.00} %)");
        Assert.True(measured >= payload && measured <= payload * 1.05,
            string.Create(CultureInfo.InvariantCulture, $"{what}: {measured:0} bytes for iperf3's {payload:0} ({(measured / payload - 1) * 100:+0.00;-0.00} %), not within [0, +5 %]."));
    }
}

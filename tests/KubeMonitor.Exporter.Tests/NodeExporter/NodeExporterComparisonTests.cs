using System.Globalization;
using System.Net;
using System.Net.Sockets;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Options;
using KubeMonitor.Exporter.Tests.Support;
using KubeMonitor.TestSupport;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Tests.NodeExporter;

/// <summary>
/// Side by side with Debian's node_exporter 1.5 on this host's real /proc: both are scraped at
/// the same moment and every node number must agree within 0.5 %.
/// </summary>
[Collection(RealLoad.Name)]
public sealed class NodeExporterComparisonTests
{
    private const double Tolerance = 0.005;

    [Fact]
    public async Task Node_numbers_agree_with_node_exporter_on_this_host()
    {
        // Loopback's counters would otherwise be so small that the scrapes' own traffic moves them
        // by more than 0.5 %; both exporters must then count these 64 MiB the same.
        await PushThroughLoopbackAsync(64 << 20);

        using var nodeExporter = NodeExporterProcess.Start(Ports.Free(), "cpu", "meminfo", "netdev", "diskstats");
        // The default interval: a scrape serves values read at most 1 s before it whatever the interval.
        var options = new ExporterOptions("real-node", null, null, null, new IPEndPoint(IPAddress.Loopback, Ports.Free()), TimeSpan.FromSeconds(5), null, LogLevel.Warning);
        await using var ours = ExporterApp.Build(options, HostRoot.Create());
        await ours.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        await nodeExporter.WaitUntilServingAsync(http);

        // The same moment: both requests in flight together.
        var oursText = http.GetStringAsync(new Uri($"http://{options.Listen}/metrics"));
        var theirsText = http.GetStringAsync(nodeExporter.MetricsUri);
        await Task.WhenAll(oursText, theirsText);
        var us = TextSamples.Parse(await oursText);
        var them = TextSamples.Parse(await theirsText);

        AssertClose("cpu seconds", TextSamples.NodeExporterCpuUsageSeconds(them), Single(us, "kubemonitor_node_cpu_usage_seconds_total").Value);
        Assert.Equal(
            them.Where(s => s.Name == "node_cpu_seconds_total").Select(s => s.Labels["cpu"]).Distinct().Count(),
            (int)Single(us, "kubemonitor_node_cpu_capacity_cores").Value);
        AssertClose("MemTotal", Single(them, "node_memory_MemTotal_bytes").Value, Single(us, "kubemonitor_node_memory_total_bytes").Value);
        AssertClose("MemAvailable", Single(them, "node_memory_MemAvailable_bytes").Value, Single(us, "kubemonitor_node_memory_available_bytes").Value);

        AssertSameSeries(them, "node_network_receive_bytes_total", us, "kubemonitor_node_network_receive_bytes_total", "interface");
        AssertSameSeries(them, "node_network_transmit_bytes_total", us, "kubemonitor_node_network_transmit_bytes_total", "interface");
        AssertSameSeries(them, "node_disk_read_bytes_total", us, "kubemonitor_node_disk_read_bytes_total", "device");
        AssertSameSeries(them, "node_disk_written_bytes_total", us, "kubemonitor_node_disk_written_bytes_total", "device");

        Assert.All(us.Where(s => s.Name == "kubemonitor_exporter_collector_success"), s => Assert.Equal(1, s.Value));
        Assert.Equal("", await Promtool.CheckMetricsAsync(await oursText));
        await ours.StopAsync();
    }

    /// <summary>Every device or interface node_exporter reports, and no other, with the same bytes.</summary>
    private static void AssertSameSeries(List<Sample> them, string theirName, List<Sample> us, string ourName, string ourLabel)
    {
        var theirs = them.Where(s => s.Name == theirName).ToDictionary(s => s.Labels["device"], s => s.Value, StringComparer.Ordinal);
        var ours = us.Where(s => s.Name == ourName).ToDictionary(s => s.Labels[ourLabel], s => s.Value, StringComparer.Ordinal);
        Assert.NotEmpty(theirs);
        Assert.Equal(theirs.Keys.Order(StringComparer.Ordinal), ours.Keys.Order(StringComparer.Ordinal));
        foreach (var (device, value) in theirs)
        {
            AssertClose($"{ourName}{{{ourLabel}=\"{device}\"}}", value, ours[device]);
        }
    }

    private static void AssertClose(string what, double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Max(Math.Abs(expected), Math.Abs(actual)),
            $"{what}: node_exporter {expected.ToString(CultureInfo.InvariantCulture)}, ours {actual.ToString(CultureInfo.InvariantCulture)}");

    private static Sample Single(List<Sample> samples, string name) => Assert.Single(samples, s => s.Name == name);

    private static async Task PushThroughLoopbackAsync(int bytes)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var sender = new TcpClient();
        await sender.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var receiver = await listener.AcceptTcpClientAsync();
        var drain = Task.Run(async () =>
        {
            var buffer = new byte[1 << 16];
            var stream = receiver.GetStream();
            while (await stream.ReadAsync(buffer) > 0) { }
        });
        var chunk = new byte[1 << 16];
        var stream = sender.GetStream();
        for (var sent = 0; sent < bytes; sent += chunk.Length)
        {
            await stream.WriteAsync(chunk);
        }
        sender.Client.Shutdown(SocketShutdown.Send);
        await drain;
    }
}

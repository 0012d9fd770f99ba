using System.Diagnostics;
using static KubeMonitor.EndToEnd.Tests.EndToEndEnvironment;

namespace KubeMonitor.EndToEnd.Tests;

public sealed partial class EndToEndTests
{
    private const long HundredMegabytes = 100L * 1024 * 1024;

    /// <summary>
    /// Report check 2: 100 MB written with direct I/O to the real disk shows in the node's disk
    /// counters and rate. Pod disk is not checked here: this VM's blkio counters read 0 for every
    /// cgroup (no blk-throttle accounting on its virtio disk), so pod disk is covered by the
    /// cgroup fixtures (v1 blkio.throttle.io_service_bytes_recursive, v2 io.stat) instead.
    /// </summary>
    [Fact]
    public async Task Direct_write_of_100_MB_shows_in_node_disk_rate_and_total()
    {
        var before = await env.GetAsync($"/api/nodes/{Node}");
        var from = Timestamp(before);
        var writtenBefore = Number(before, "disk", "writeBytesTotal")!.Value;

        // /var/tmp is on the root file system (the real disk), never a tmpfs.
        var file = Path.Combine("/var/tmp", $"kme2e-{Guid.NewGuid():N}.bin");
        try
        {
            var start = new ProcessStartInfo("dd") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in new[] { "if=/dev/zero", $"of={file}", "bs=1M", "count=100", "oflag=direct" }) start.ArgumentList.Add(argument);
            using var dd = Process.Start(start)!;
            var ddOutput = dd.StandardError.ReadToEndAsync();
            await WaitForExitAsync(dd, TimeSpan.FromSeconds(120));
            Assert.True(dd.ExitCode == 0, $"dd failed: {await ddOutput}");
        }
        finally
        {
            File.Delete(file);
        }
        var ddEnded = DateTime.UtcNow;

        // A collection that starts after dd has ended has all of its writes.
        var after = await Support.Eventually.Until(async () =>
        {
            var node = await env.GetAsync($"/api/nodes/{Node}");
            return Timestamp(node) > ddEnded ? node : null;
        }, TimeSpan.FromSeconds(30), "a node sample after dd", () => env.Diagnostics);
        var to = Timestamp(after);
        var written = Number(after, "disk", "writeBytesTotal")!.Value - writtenBefore;
        Measured($"node writeBytesTotal grew {written:0} bytes for dd's {HundredMegabytes}");
        Assert.True(written >= HundredMegabytes, $"The node's writeBytesTotal grew by {written} bytes, less than dd's {HundredMegabytes}.");

        // The rate: over the samples since 'before' it accounts for at least dd's bytes, so its
        // peak is at least their mean over that span.
        var series = await env.GetAsync($"/api/nodes/{Node}?window=120");
        var mean = MeanRate(series, "disk", "writeBytesPerSecond", from, to);
        Assert.True(mean * (to - from).TotalSeconds >= HundredMegabytes * 0.999,
            $"writeBytesPerSecond over {(to - from).TotalSeconds:0.0} s accounts for {mean * (to - from).TotalSeconds:0} bytes, less than dd's {HundredMegabytes}.");
        var peak = Points(series).Where(p => Timestamp(p) > from && Timestamp(p) <= to).Max(p => Number(p, "disk", "writeBytesPerSecond")!.Value);
        Assert.True(peak >= HundredMegabytes / (to - from).TotalSeconds, $"Peak writeBytesPerSecond {peak:0} during dd.");
    }
}

using System.Net;
using System.Net.Http.Headers;
using KubeMonitor.Exporter.Options;
using KubeMonitor.Exporter.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Tests;

/// <summary>The program's exit codes and the served endpoints, on 127.0.0.1 over a fixture root.</summary>
public sealed class ExporterAppTests
{
    [Fact]
    public async Task Help_prints_the_options_and_exits_0()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(0, await ExporterApp.RunAsync(["--help"], stdout, stderr));
        Assert.Contains("--listen", stdout.ToString(), StringComparison.Ordinal);
        Assert.Empty(stderr.ToString());
    }

    [Fact]
    public async Task Bad_arguments_exit_2_with_the_message()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(2, await ExporterApp.RunAsync(["--interval", "soon", "--node-name", "n1"], stdout, stderr));
        Assert.Contains("--interval 'soon'", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_root_is_a_clear_start_up_error()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(1, await ExporterApp.RunAsync(["--proc-root", "/nonexistent/proc", "--node-name", "n1"], stdout, stderr));
        Assert.Contains("'/nonexistent/proc' does not exist", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_start_up_failure_is_one_line_and_an_unforeseen_one_names_its_type()
    {
        Assert.Equal("--kubeconfig /k cannot be used: line 1: bad", ExporterApp.StartupFailure(new InvalidOperationException("--kubeconfig /k cannot be used:\n  line 1: bad\r\n")));
        Assert.Equal("cannot start (FormatException): oops", ExporterApp.StartupFailure(new FormatException("oops")));
    }

    [Theory]
    [InlineData("no credentials", "apiVersion: v1\nkind: Config\nclusters: [{ name: c, cluster: { server: \"http://127.0.0.1:1\" } }]\nusers: [{ name: u, user: {} }]\ncontexts: [{ name: x, context: { cluster: c, user: u } }]\ncurrent-context: x\n")]
    [InlineData("not YAML", "clusters: [ { name: \n")]
    [InlineData("no such context", "apiVersion: v1\nkind: Config\ncurrent-context: nowhere\n")]
    public async Task A_kubeconfig_that_cannot_be_used_is_a_clear_start_up_error(string why, string kubeconfig)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kubemonitor-kubeconfig-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, kubeconfig);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        // Should it start after all, the test ends it rather than hang.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            var exit = await ExporterApp.RunAsync(["--kubeconfig", path, "--node-name", "n1", "--listen", $"127.0.0.1:{Ports.Free()}"], stdout, stderr, stop.Token);

            Assert.True(exit == 1, $"{why}: exit {exit}, stderr {stderr}");
            Assert.Contains($"--kubeconfig {path}", stderr.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Added_collectors_and_post_processors_take_part_in_every_collection()
    {
        var root = FixtureRoots.Proc("procfs-8cpu");
        var options = new ExporterOptions("node-1", null, null, null, new IPEndPoint(IPAddress.Loopback, Ports.Free()), TimeSpan.FromSeconds(5), null, LogLevel.Warning);
        var postProcessed = 0;

        await using var app = ExporterApp.Build(options, root, builder =>
        {
            builder.Services.AddSingleton<Collection.ICollector>(new NamedCollector("extra"));
            builder.Services.AddSingleton<Action<Collection.NodeSnapshot>>(_ => Interlocked.Increment(ref postProcessed));
        });
        var runner = app.Services.GetRequiredService<Collection.CollectionRunner>();
        Assert.Equal(["cpu", "meminfo", "diskstats", "netdev", "pods", "extra"], runner.CollectorNames);
        Assert.Equal(0, Volatile.Read(ref postProcessed)); // building reads nothing

        await app.StartAsync();
        Assert.Equal(1, Volatile.Read(ref postProcessed)); // the collection at start, for readiness
        using var http = new HttpClient { BaseAddress = new Uri($"http://{options.Listen}") };
        Assert.Contains("kubemonitor_exporter_collector_success{collector=\"extra\"} 1\n", await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
        await app.StopAsync();
    }

    private sealed class NamedCollector(string name) : Collection.ICollector
    {
        public string Name => name;
        public void Collect(Collection.NodeSnapshot snapshot) { }
    }

    [Fact]
    public async Task Serves_each_interval_s_collection_in_both_formats_and_health()
    {
        using var proc = new TempProcRoot("procfs-8cpu");
        var options = new ExporterOptions("node-1", proc.Path, proc.Path, proc.Path, new IPEndPoint(IPAddress.Loopback, Ports.Free()), TimeSpan.FromMilliseconds(100), null, LogLevel.Warning);
        await using var app = ExporterApp.Build(options, proc.Root);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://{options.Listen}") };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/livez", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("kubemonitor_node_cpu_usage_seconds_total{node=\"node-1\"} 4183.22\n", text, StringComparison.Ordinal);
        // No kubeconfig and not in a pod (run.sh): the node's labels are unknown, so no series, not an empty one.
        Assert.Contains("# TYPE kubemonitor_node_labels gauge\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\nkubemonitor_node_labels{", text, StringComparison.Ordinal);

        // The next interval's collection reads the file again: one more second of user time on cpu0 shows.
        proc.Write("stat", File.ReadAllText(Path.Combine(proc.Path, "stat")).Replace("cpu0 44490 ", "cpu0 44590 ", StringComparison.Ordinal));
        HttpResponseMessage response;
        string openMetrics;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative));
            request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/openmetrics-text; version=1.0.0; charset=utf-8"));
            response = await http.SendAsync(request);
            openMetrics = await response.Content.ReadAsStringAsync();
        }
        while (!openMetrics.Contains("4184.22", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

        Assert.Equal("application/openmetrics-text", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("kubemonitor_node_cpu_usage_seconds_total{node=\"node-1\"} 4184.22\n", openMetrics, StringComparison.Ordinal);
        Assert.EndsWith("# EOF\n", openMetrics, StringComparison.Ordinal);
        await app.StopAsync();
    }
}

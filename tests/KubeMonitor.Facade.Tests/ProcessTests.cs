using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Facade.Tests;

/// <summary>The facade as a real process on 127.0.0.1, spoken to with a real HttpClient.</summary>
[Collection(RealLoad.Name)]
public sealed class ProcessTests
{
    [Fact]
    public async Task The_built_facade_serves_pushes_and_queries_over_real_http()
    {
        await using var facade = await FacadeProcess.StartAsync(["--Facade:Staleness", "00:10:00"]);
        var http = facade.Http;
        var now = DateTimeOffset.UtcNow;
        string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        for (var i = 0; i < 2; i++)
        {
            var t = now.AddSeconds(-10 + i * 10);
            var body = $$$"""
                {"timestamp":"{{{Iso(t)}}}","node":{"cpu":{"usageSecondsTotal":{{{100 + i * 20}}},"capacityCores":4}},
                 "pods":[{"name":"web-7c9f8d6b5-x2x4q","namespace":"test-ns","ownerKind":"ReplicaSet","ownerName":"web-7c9f8d6b5",
                          "cpu":{"usageSecondsTotal":{{{i * 5}}}},"memory":{"workingSetBytes":1048576}}]}
                """;
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var pushed = await http.PostAsync(new Uri("/api/nodes/node-1/batch", UriKind.Relative), content);
            Assert.Equal(HttpStatusCode.Accepted, pushed.StatusCode);
        }

        var node = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/nodes/node-1", UriKind.Relative)))!;
        Assert.Equal(2.0, (double)node["cpu"]!["usageCores"]!, 9);
        Assert.Equal(0.5, (double)node["cpu"]!["utilization"]!, 9);
        var deployment = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/namespaces/test-ns/deployments/web", UriKind.Relative)))!;
        Assert.Equal(0.5, (double)deployment["cpu"]!["usageCores"]!, 9);
        Assert.Equal(1048576.0, (double)deployment["memory"]!["workingSetBytes"]!);

        using var wrongType = new StringContent("{}", Encoding.UTF8, "text/plain");
        using var refused = await http.PostAsync(new Uri("/api/nodes/node-1", UriKind.Relative), wrongType);
        await FacadeFactory.AssertProblemAsync(refused, 415);
        using var notAllowed = await http.DeleteAsync(new Uri("/api/nodes/node-1", UriKind.Relative));
        await FacadeFactory.AssertProblemAsync(notAllowed, 405);

        // What an in-memory test client cannot send: a NUL in the path.
        using var nul = await http.GetAsync(new Uri("/api/pods/a%00b", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode);

        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("kubemonitor_facade_series 2", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("kubemonitor_facade_wal_", metrics, StringComparison.Ordinal); // no data folder, no log to measure
        Assert.Contains("\"openapi\"", await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Facade:Retention", "bogus", "Facade:Retention")]
    [InlineData("--Facade:MaxSeries", "0", "Facade:MaxSeries must be at least 1")]
    [InlineData("--Facade:Retention", "00:00:00", "Facade:Retention")]
    [InlineData("--Facade:Staleness", "-00:00:01", "Facade:Staleness")]
    [InlineData("--Facade:DefaultStepSeconds", "0", "Facade:DefaultStepSeconds")]
    [InlineData("--Facade:MaxRequestBodyBytes", "10", "Facade:MaxRequestBodyBytes")]
    [InlineData("--Facade:SweepInterval", "00:00:00", "Facade:SweepInterval")]
    [InlineData("--Facade:MaxSeriesPerNode", "0", "Facade:MaxSeriesPerNode")]
    [InlineData("--Facade:MaxConcurrentReads", "0", "Facade:MaxConcurrentReads")]
    [InlineData("--Facade:PushPort", "70000", "Facade:PushPort")]
    [InlineData("--Facade:Auth:Mode", "TokenReview", "no Kubernetes API server is configured")]
    [InlineData("--urls", "http://127.0.0.1:{taken}", "address already in use")]
    [InlineData("--Facade:MetricsApi:Url", "http://127.0.0.1:{taken}", "Facade:MetricsApi:Url must be an https:// address")]
    [InlineData("--Facade:MetricsApi:Url", "https://127.0.0.1:{taken}", "Facade:MetricsApi:Authorization is SubjectAccessReview but no Kubernetes API server")]
    public async Task A_start_that_fails_is_one_line_on_stderr_and_exit_1(string setting, string value, string expected)
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var start = FacadeProcess.StartInfo(["--urls", $"http://127.0.0.1:{FacadeProcess.FreePort()}", setting, value.Replace("{taken}", $"{port}", StringComparison.Ordinal)]);
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = stderr + await stdout;
        Assert.True(process.ExitCode == 1, $"exit {process.ExitCode}: {output}");
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("kubemonitor-facade: cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task It_starts_as_an_unprivileged_user_from_a_directory_it_cannot_read()
    {
        var locked = Directory.CreateTempSubdirectory("facade-cwd-");
        try
        {
            File.SetUnixFileMode(locked.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            await using var facade = await FacadeProcess.StartAsync([], workingDirectory: locked.FullName, runAsId: 65534);
            using var live = await facade.Http.GetAsync(new Uri("/livez", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            // appsettings.json of its own folder was read: no per-request lines from the framework.
            using var content = new StringContent("""{"cpu":{"usageSecondsTotal":1}}""", Encoding.UTF8, "application/json");
            using var pushed = await facade.Http.PostAsync(new Uri("/api/nodes/node-1", UriKind.Relative), content);
            Assert.Equal(HttpStatusCode.Accepted, pushed.StatusCode);
            Assert.DoesNotContain("Request starting", facade.Log, StringComparison.Ordinal);
        }
        finally
        {
            locked.Delete(recursive: true);
        }
    }
}

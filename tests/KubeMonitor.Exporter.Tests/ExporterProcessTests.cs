using System.Net;
using System.Net.Sockets;
using KubeMonitor.Exporter.Tests.Support;

namespace KubeMonitor.Exporter.Tests;

/// <summary>
/// The real program (dotnet kubemonitor-exporter.dll) at start-up: it never ends in an unhandled
/// exception, and a start-up failure is one line on stderr with exit code 1.
/// </summary>
public sealed class ExporterProcessTests
{
    private const int Nobody = 65534;
    private const UnixFileMode RootOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode EveryoneReads = RootOnly
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>
    /// As the DaemonSet runs it (uid 65534) but started in a root-only folder: the web host once
    /// took the working directory as its content root and aborted (exit 134) when it could not see it.
    /// </summary>
    [Fact]
    public async Task Starts_and_serves_livez_as_nobody_in_a_working_directory_it_cannot_read()
    {
        Assert.True(Environment.IsPrivilegedProcess, "this test needs root: it starts the exporter as uid 65534 with setpriv");
        // A copy everyone can read, whatever the permissions of the folders above the repository.
        var program = Directory.CreateTempSubdirectory("kubemonitor-exporter-bin-");
        // Root-only, and the working directory inside it: nobody can neither list nor even stat it.
        var locked = Directory.CreateTempSubdirectory("kubemonitor-locked-");
        try
        {
            CopyReadableForEveryone(ShippedExporter.BuiltFolder, program.FullName);
            SetMode(locked.FullName, RootOnly);
            var workingDirectory = Directory.CreateDirectory(Path.Combine(locked.FullName, "work"));
            SetMode(workingDirectory.FullName, RootOnly);
            var port = Ports.Free();

            using var exporter = ShippedExporter.Start(program.FullName, workingDirectory.FullName,
                ["--node-name", "node-1", "--listen", $"127.0.0.1:{port}", "--log-level", "Warning"],
                prefix: ["setpriv", "--reuid", $"{Nobody}", "--regid", $"{Nobody}", "--clear-groups"]);

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var livez = new Uri($"http://127.0.0.1:{port}/livez");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            HttpStatusCode? status = null;
            while (status != HttpStatusCode.OK)
            {
                Assert.False(exporter.HasExited, $"the exporter ended instead of serving\n{exporter.Output}");
                Assert.True(DateTime.UtcNow < deadline, $"no /livez within 60 s\n{exporter.Output}");
                status = await TryGetStatusAsync(http, livez);
                if (status != HttpStatusCode.OK) await Task.Delay(100);
            }
            Assert.Equal(HttpStatusCode.OK, await TryGetStatusAsync(http, new Uri($"http://127.0.0.1:{port}/readyz")));
            Assert.DoesNotContain("Unhandled exception", exporter.Output, StringComparison.Ordinal);
        }
        finally
        {
            program.Delete(recursive: true);
            locked.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_listen_address_in_use_exits_1_with_one_line_and_no_stack_trace()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var address = $"127.0.0.1:{((IPEndPoint)occupant.LocalEndpoint).Port}";

        using var exporter = ShippedExporter.Start(ShippedExporter.BuiltFolder, ShippedExporter.BuiltFolder,
            ["--node-name", "node-1", "--listen", address]);
        var exit = await exporter.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exit == 1, $"exit {exit}\n{exporter.Output}");
        var line = Assert.Single(exporter.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("kubemonitor-exporter: ", line, StringComparison.Ordinal);
        Assert.Contains(address, line, StringComparison.Ordinal);
        Assert.Contains("in use", line, StringComparison.Ordinal);
        // Neither stream carries a stack trace (the host's own log of the failed start included).
        Assert.DoesNotContain("   at ", exporter.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", exporter.Output, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode?> TryGetStatusAsync(HttpClient http, Uri uri)
    {
        try
        {
            using var response = await http.GetAsync(uri);
            return response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null; // not listening yet
        }
    }

    private static void CopyReadableForEveryone(string source, string target)
    {
        SetMode(target, EveryoneReads);
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            SetMode(Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, directory))).FullName, EveryoneReads);
        }
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            File.Copy(file, copy);
            SetMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("These tests run the exporter on Linux.");
        File.SetUnixFileMode(path, mode);
    }
}

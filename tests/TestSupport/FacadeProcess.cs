using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KubeMonitor.TestSupport;

/// <summary>The built facade as a real process on 127.0.0.1 (real Kestrel), killed on dispose.</summary>
public sealed class FacadeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private FacadeProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public int Port { get; }


    public HttpClient Http { get; }

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>
    /// Starts the facade on a free port (and on <paramref name="morePorts"/>) with these settings and
    /// waits until /readyz answers; from <paramref name="workingDirectory"/> (default: its own
    /// folder), as user and group <paramref name="runAsId"/> when given (setpriv, no capabilities).
    /// Without <paramref name="waitUntilReady"/>, it returns once started (see <see cref="WaitUntilReadyAsync"/>).
    /// <paramref name="dll"/> is the facade to run: by default the copy beside the tests.
    /// </summary>
    public static async Task<FacadeProcess> StartAsync(
        IEnumerable<string> arguments, int[]? morePorts = null, string? workingDirectory = null, int? runAsId = null, bool waitUntilReady = true,
        string? dll = null)
    {
        var port = FreePort();
        var urls = string.Join(';', new[] { port }.Concat(morePorts ?? []).Select(p => $"http://127.0.0.1:{p}"));
        var start = StartInfo(["--urls", urls, .. arguments], workingDirectory, runAsId, dll);
        var facade = new FacadeProcess(Process.Start(start)!, port);
        facade._process.OutputDataReceived += (_, e) => { lock (facade._log) facade._log.AppendLine(e.Data); };
        facade._process.ErrorDataReceived += (_, e) => { lock (facade._log) facade._log.AppendLine(e.Data); };
        facade._process.BeginOutputReadLine();
        facade._process.BeginErrorReadLine();
        if (!waitUntilReady) return facade;
        try
        {
            await facade.WaitUntilReadyAsync();
        }
        catch
        {
            await facade.DisposeAsync();
            throw;
        }
        return facade;
    }

    /// <summary>How the built facade is started: dotnet with its dll, or under setpriv as another user.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments, string? workingDirectory = null, int? runAsId = null, string? dll = null)
    {
        dll ??= Path.Combine(AppContext.BaseDirectory, "kubemonitor-facade.dll");
        Assert.True(File.Exists(dll), $"{dll} is not built.");
        var start = new ProcessStartInfo(runAsId is null ? "dotnet" : "setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(dll)!,
        };
        string[] prefix = runAsId is { } id
            ? ["--reuid", $"{id}", "--regid", $"{id}", "--clear-groups", "--inh-caps=-all", "--", "dotnet", dll]
            : [dll];
        foreach (var argument in prefix.Concat(arguments)) start.ArgumentList.Add(argument);
        return start;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until /readyz answers 200; fails with the log if it does not within about 30 s.</summary>
    public async Task WaitUntilReadyAsync()
    {
        // Bounded wait for start-up (a slow shared machine may take seconds); fails with the log if it never comes up.
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (_process.HasExited) break;
            try
            {
                using var response = await Http.GetAsync(new Uri("/readyz", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        Assert.Fail("The facade did not become ready:\n" + Log);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

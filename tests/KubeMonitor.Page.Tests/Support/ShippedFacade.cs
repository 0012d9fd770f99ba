using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Page.Tests.Support;

/// <summary>
/// The built facade (facade/bin/&lt;Configuration&gt;/net10.0, where its build put the page) as a real
/// process on a free 127.0.0.1 port, fed through the push API; killed on dispose.
/// </summary>
public sealed class ShippedFacade : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string? _token;

    private ShippedFacade(Process process, int port, string? token)
    {
        _process = process;
        _token = token;
        Address = $"http://127.0.0.1:{port}";
        Http = new HttpClient { BaseAddress = new Uri(Address) };
    }

    public string Address { get; }

    public HttpClient Http { get; }

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>Starts it with these settings (<c>Facade:Auth:Token</c> is also the token pushes carry).</summary>
    public static async Task<ShippedFacade> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Dll)!,
        };
        foreach (var argument in new[] { Dll, "--urls", $"http://127.0.0.1:{port}" }) start.ArgumentList.Add(argument);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.ArgumentList.Add($"--{key}");
            start.ArgumentList.Add(value);
        }
        var token = settings?.GetValueOrDefault("Facade:Auth:Token");
        var facade = new ShippedFacade(Process.Start(start)!, port, token);
        facade._process.OutputDataReceived += (_, e) => { lock (facade._log) facade._log.AppendLine(e.Data); };
        facade._process.ErrorDataReceived += (_, e) => { lock (facade._log) facade._log.AppendLine(e.Data); };
        facade._process.BeginOutputReadLine();
        facade._process.BeginErrorReadLine();
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

    /// <summary>POST /api/nodes/{node}/batch; fails the test unless the facade takes it.</summary>
    public async Task PushAsync(string node, object batch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/nodes/{node}/batch", UriKind.Relative)) { Content = JsonContent.Create(batch) };
        if (_token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        using var response = await Http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"push {node}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static string Dll
    {
        get
        {
            var configuration = typeof(ShippedFacade).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;
            var path = Path.Combine(RepoPaths.Root, "facade", "bin", configuration, "net10.0", "kubemonitor-facade.dll");
            Assert.True(File.Exists(path), $"{path} is not built (the test project's reference builds it).");
            return path;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitUntilReadyAsync()
    {
        // Bounded: a slow shared machine may take seconds to start it; the log says why it never did.
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

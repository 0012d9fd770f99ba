using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Page.Tests.Support;

/// <summary>
/// The built facade (facade/bin/&lt;Configuration&gt;/net10.0, where its build put the page) as a real
/// process on a free 127.0.0.1 port, fed through the push API; killed on dispose.
/// </summary>
public sealed class ShippedFacade : IAsyncDisposable
{
    private readonly FacadeProcess _process;
    private readonly string? _token;

    private ShippedFacade(FacadeProcess process, string? token)
    {
        _process = process;
        _token = token;
        Address = $"http://127.0.0.1:{process.Port}";
    }

    public string Address { get; }

    public HttpClient Http => _process.Http;

    public string Log => _process.Log;

    /// <summary>Starts it with these settings (<c>Facade:Auth:Token</c> is also the token pushes carry).</summary>
    public static async Task<ShippedFacade> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var arguments = (settings ?? new Dictionary<string, string>()).SelectMany(s => new[] { $"--{s.Key}", s.Value });
        var process = await FacadeProcess.StartAsync(arguments, dll: Dll);
        return new ShippedFacade(process, settings?.GetValueOrDefault("Facade:Auth:Token"));
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
            return Path.Combine(RepoPaths.Root, "facade", "bin", configuration, "net10.0", "kubemonitor-facade.dll");
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}

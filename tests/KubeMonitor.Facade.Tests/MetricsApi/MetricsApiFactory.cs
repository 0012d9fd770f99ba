using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using KubeMonitor.Facade.Tests.Auth;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace KubeMonitor.Facade.Tests.MetricsApi;

/// <summary>
/// The facade on real Kestrel (pushes over HTTP, a fake clock) with the metrics API's HTTPS
/// listener on a free port, trusting a front-proxy CA made for the test; clients for that listener
/// with or without a client certificate. Its temp folder goes with it.
/// </summary>
public sealed class MetricsApiFactory : FacadeFactory
{
    private readonly string _folder;
    private readonly TestCertificates _frontProxy;

    private MetricsApiFactory(string folder, TestCertificates frontProxy, int port, Dictionary<string, string?> settings) : base(settings)
    {
        (_folder, _frontProxy, Port) = (folder, frontProxy, port);
        UseKestrel();
        StartServer();
        // The factory's own clients (pushes, the REST API) talk to the plain HTTP address, not the metrics listener.
        var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        ClientOptions.BaseAddress = new Uri(addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal)));
    }

    public int Port { get; }

    internal TestCertificates FrontProxy => _frontProxy;

    /// <param name="settings">More settings, or ones replacing the defaults (AllowAuthenticated, no API server).</param>
    public static MetricsApiFactory Create(Dictionary<string, string?>? settings = null)
    {
        var folder = Directory.CreateTempSubdirectory("kubemonitor-metricsapi-").FullName;
        var frontProxy = new TestCertificates("front-proxy-ca");
        try
        {
            var port = FakeKubernetesApi.ClosedPort();
            var all = new Dictionary<string, string?>
            {
                ["urls"] = "http://127.0.0.1:0",
                ["Facade:MetricsApi:Url"] = $"https://127.0.0.1:{port}",
                ["Facade:MetricsApi:RequestHeaderClientCaFile"] = frontProxy.WriteCaFile(folder),
                ["Facade:MetricsApi:Authorization"] = "AllowAuthenticated",
            };
            foreach (var (key, value) in settings ?? []) all[key] = value;
            return new MetricsApiFactory(folder, frontProxy, port, all);
        }
        catch
        {
            frontProxy.Dispose();
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// A client of the HTTPS listener (taking the facade's self-signed certificate, made at start, and no other) presenting
    /// <paramref name="certificate"/>, if any, and sending the front proxy's user headers when a user is given.
    /// </summary>
    public HttpClient MetricsClient(X509Certificate2? certificate, string? user = null, params string[] groups)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = static (_, server, _, _) => server?.Subject.EndsWith("@kubemonitor-facade", StringComparison.Ordinal) == true,
                ClientCertificates = certificate is null ? null : new X509CertificateCollection { certificate },
            },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{Port}") };
        if (user is not null) client.DefaultRequestHeaders.Add("X-Remote-User", user);
        foreach (var group in groups) client.DefaultRequestHeaders.Add("X-Remote-Group", group);
        return client;
    }

    /// <summary>A client as the aggregator is: the front proxy's certificate, a user and groups.</summary>
    public HttpClient Proxied(string user = "alice", params string[] groups) => MetricsClient(_frontProxy.Client("front-proxy-client"), user, groups);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        _frontProxy.Dispose();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}

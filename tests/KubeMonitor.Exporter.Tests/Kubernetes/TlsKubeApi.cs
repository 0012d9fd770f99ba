using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Tests.Kubernetes;

/// <summary>
/// A Kubernetes API server over HTTPS on 127.0.0.1 (a port of its own), played by Kestrel: every
/// GET answers the 24-pod fixture list, or a Status with <see cref="AnswerStatus"/>. Given a client
/// CA it requires a client certificate issued by that CA in the TLS handshake, as the API server
/// checks its --client-ca-file. Each request is recorded with its Authorization and Host headers
/// and the client certificate the connection presented.
/// </summary>
internal sealed class TlsKubeApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<TlsApiRequest> _requests = new();

    private TlsKubeApi(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }
    public string Url => $"https://127.0.0.1:{Port}";

    /// <summary>The status every request is answered with from now on: 200 (the pod list) unless set.</summary>
    public int AnswerStatus { get; set; } = 200;

    public IReadOnlyList<TlsApiRequest> Requests => _requests.ToList();

    public static async Task<TlsKubeApi> StartAsync(X509Certificate2 serverCertificate, X509Certificate2? requiredClientCa = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = serverCertificate;
            if (requiredClientCa is null) return;
            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
            https.ClientCertificateValidation = (certificate, _, _) => IssuedBy(certificate, requiredClientCa);
        })));
        var app = builder.Build();
        TlsKubeApi? api = null;
        app.Run(context => api!.AnswerAsync(context));
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var port = new Uri(app.Urls.Single()).Port;
        api = new TlsKubeApi(app, port);
        return api;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        _requests.Enqueue(new TlsApiRequest(
            request.Path.Value ?? "",
            request.Headers.Authorization.ToString(),
            request.Host.Value ?? "",
            context.Connection.ClientCertificate?.Thumbprint));
        var status = AnswerStatus;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = status == 200
            ? FakeKubeApi.WithResourceVersion(FakeKubeApi.FixturePodList(), "7")
            : FakeKubeApi.Status(status, ReasonPhrases.GetReasonPhrase(status));
        await context.Response.WriteAsync(body.ToJsonString());
    }

    /// <summary>True when <paramref name="certificate"/> chains to <paramref name="authority"/> and no other root.</summary>
    private static bool IssuedBy(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>What one request to <see cref="TlsKubeApi"/> brought.</summary>
internal sealed record TlsApiRequest(string Path, string Authorization, string Host, string? ClientCertificateThumbprint);

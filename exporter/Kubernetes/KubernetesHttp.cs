using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Authentication;
using k8s.Autorest;

namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>
/// GET requests to the API server a <see cref="KubernetesClientConfiguration"/> names, with its
/// TLS trust, client certificate and credentials, set up as <c>k8s.Kubernetes</c> sets them up
/// (but refusing a server certificate for another name, as client-go does) and with the library's own parts (<see cref="CertUtils"/>, its certificate check, its
/// credential types). <c>k8s.Kubernetes</c> itself is not used: its constructor reaches
/// KubernetesClient's JSON metadata for every Kubernetes type, which NativeAOT then links in,
/// about half of the exporter's binary and a third of its memory (docs/benchmarks.md).
/// </summary>
public sealed class KubernetesHttp : IDisposable
{
    private readonly HttpClient _client;
    private readonly ServiceClientCredentials? _credentials;
    private readonly string? _tlsServerName;

    public KubernetesHttp(KubernetesClientConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        BaseUri = new Uri(configuration.Host.EndsWith('/') ? configuration.Host : configuration.Host + "/");
        var handler = new SocketsHttpHandler
        {
            // As the library's: long watches on HTTP/2 are kept alive by pings.
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            KeepAlivePingDelay = TimeSpan.FromMinutes(3),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            EnableMultipleHttp2Connections = true,
        };
        if (BaseUri.Scheme == Uri.UriSchemeHttps)
        {
            if (configuration.SkipTlsVerify)
            {
#pragma warning disable CA5359 // The kubeconfig's insecure-skip-tls-verify: the user asked for it, as the library honours it.
                handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
            }
            else if (configuration.SslCaCerts is { } authorities)
            {
                // The library's check builds the chain to the given CA but lets a certificate for
                // another name pass; client-go refuses that, and so does this.
                handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                    (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0
                    && k8s.Kubernetes.CertificateValidationCallBack(sender, authorities, certificate, chain, errors);
            }
        }
        if (ClientCertificate(configuration) is { } clientCertificate)
        {
            handler.SslOptions.ClientCertificates = new X509Certificate2Collection(clientCertificate);
        }
        _credentials = k8s.Kubernetes.CreateCredentials(configuration);
        // As the library does: the Host header, and so the TLS server name, the kubeconfig asks for.
        _tlsServerName = string.IsNullOrWhiteSpace(configuration.TlsServerName) ? null : configuration.TlsServerName;
        // Watches last minutes: each call brings its own cancellation instead of a client timeout.
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// The kubeconfig's client certificate and key (inline base64 PEM, or files), as the library's
    /// internal CertUtils reads them; null without both.
    /// </summary>
    internal static X509Certificate2? ClientCertificate(KubernetesClientConfiguration configuration)
    {
        var certificate = Pem(configuration.ClientCertificateData, configuration.ClientCertificateFilePath);
        var key = Pem(configuration.ClientCertificateKeyData, configuration.ClientKeyFilePath);
        return certificate is null || key is null ? null : X509Certificate2.CreateFromPem(certificate, key);
    }

    private static string? Pem(string? base64, string? file) =>
        !string.IsNullOrWhiteSpace(base64) ? Encoding.UTF8.GetString(Convert.FromBase64String(base64))
        : !string.IsNullOrWhiteSpace(file) ? File.ReadAllText(file)
        : null;

    /// <summary>The API server, with a trailing slash.</summary>
    public Uri BaseUri { get; }

    /// <summary>
    /// Sends a GET of <paramref name="relativeUri"/> (HTTP/2 where the server speaks it) and returns
    /// once the response headers are in; the caller reads and disposes the response.
    /// </summary>
    /// <exception cref="HttpOperationException">A non-2xx answer (its status and body), as the library's own calls throw.</exception>
    public async Task<HttpResponseMessage> GetAsync(string relativeUri, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, relativeUri)) { Version = HttpVersion.Version20 };
        if (_tlsServerName is not null) request.Headers.Host = _tlsServerName;
        if (_credentials is not null) await _credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpOperationException($"Operation returned an invalid status code '{response.StatusCode}', response body {body}")
            {
                Response = new HttpResponseMessageWrapper(response, body),
            };
        }
    }

    public void Dispose() => _client.Dispose();
}

using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Autorest;
using k8s.Models;
using KubeMonitor.Exporter.Kubernetes;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Exporter.Tests.Kubernetes;

/// <summary>
/// The API server over real TLS, reached as the exporter reaches it (kubeconfig or service account,
/// then <see cref="KubernetesWatchApi"/>): which server certificates are trusted, which client
/// certificate goes out, which credentials and Host header arrive.
/// </summary>
public sealed class KubernetesHttpTlsTests : IAsyncLifetime, IDisposable
{
    private const string NodeSelector = "spec.nodeName=datagen-1-35";
    private const int FixturePods = 24;

    // Certificates first: a constructor that throws is never disposed, and a folder made before would stay.
    private readonly TestCertificates _certificates = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("kubemonitor-tls-").FullName;
    private readonly List<TlsKubeApi> _servers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    // xunit calls DisposeAsync (the servers) and then Dispose, even when a test failed.
    public async Task DisposeAsync()
    {
        foreach (var server in _servers) await server.DisposeAsync();
    }

    public void Dispose()
    {
        _certificates.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<TlsKubeApi> StartServer(X509Certificate2 certificate, bool requireClientCertificate = false)
    {
        var server = await TlsKubeApi.StartAsync(certificate, requireClientCertificate ? _certificates.ClientCa : null);
        _servers.Add(server);
        return server;
    }

    private InClusterEnvironment NotInCluster() => new(null, null, Path.Combine(_dir, "no-service-account"));

    private static string Base64(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));

    private (string Key, string Value) TrustedCa() => ("certificate-authority-data", Base64(_certificates.Ca.ExportCertificatePem()));

    private string Kubeconfig(TlsKubeApi server, IEnumerable<(string Key, string Value)> cluster, IEnumerable<(string Key, string Value)> user) =>
        TestKubeconfig.Write(_dir, server.Url, cluster, user);

    private Task<V1PodList> ListPodsThrough(string kubeconfig) => ListPodsWith(KubernetesConnectionFactory.Select(kubeconfig, NotInCluster()));

    private static async Task<V1PodList> ListPodsWith(KubernetesConnection connection)
    {
        using var client = new KubernetesWatchApi(connection.Configuration!);
        return await client.ListPodsAsync(NodeSelector, fromCache: true, CancellationToken.None);
    }

    [Fact]
    public async Task A_server_certificate_from_the_kubeconfig_ca_is_trusted_and_gets_the_token()
    {
        var server = await StartServer(_certificates.Server);

        var list = await ListPodsThrough(Kubeconfig(server, [TrustedCa()], [("token", "tls-token")]));

        Assert.Equal(FixturePods, list.Items.Count);
        var request = Assert.Single(server.Requests);
        Assert.Equal("Bearer tls-token", request.Authorization);
        Assert.Equal("/api/v1/pods", request.Path);
    }

    [Fact]
    public async Task A_server_certificate_from_another_ca_is_refused_before_any_request()
    {
        var server = await StartServer(_certificates.ServerFromOtherCa);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => ListPodsThrough(Kubeconfig(server, [TrustedCa()], [("token", "tls-token")])));

        Assert.IsType<AuthenticationException>(error.InnerException);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_server_certificate_for_another_name_is_refused_though_its_ca_is_trusted()
    {
        // KubernetesClient's own check lets this pass; client-go does not, and neither does the exporter.
        var server = await StartServer(_certificates.Server);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() =>
            ListPodsThrough(Kubeconfig(server, [TrustedCa(), ("tls-server-name", "wrong.example")], [("token", "tls-token")])));

        Assert.IsType<AuthenticationException>(error.InnerException);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Insecure_skip_tls_verify_accepts_an_untrusted_server()
    {
        var server = await StartServer(_certificates.ServerFromOtherCa);

        var list = await ListPodsThrough(Kubeconfig(server, [("insecure-skip-tls-verify", "true")], [("token", "tls-token")]));

        Assert.Equal(FixturePods, list.Items.Count);
        Assert.Equal("Bearer tls-token", Assert.Single(server.Requests).Authorization);
    }

    [Fact]
    public async Task Inline_client_certificate_and_key_are_presented()
    {
        var server = await StartServer(_certificates.Server, requireClientCertificate: true);
        var user = new[]
        {
            ("client-certificate-data", Base64(_certificates.ClientCertificatePem)),
            ("client-key-data", Base64(_certificates.ClientKeyPem)),
        };

        var list = await ListPodsThrough(Kubeconfig(server, [TrustedCa()], user));

        Assert.Equal(FixturePods, list.Items.Count);
        var request = Assert.Single(server.Requests);
        Assert.Equal(_certificates.Client.Thumbprint, request.ClientCertificateThumbprint);
        Assert.Equal("", request.Authorization);
    }

    [Fact]
    public async Task Client_certificate_and_key_files_are_presented()
    {
        var server = await StartServer(_certificates.Server, requireClientCertificate: true);
        var certificateFile = Path.Combine(_dir, "client.crt");
        var keyFile = Path.Combine(_dir, "client.key");
        await File.WriteAllTextAsync(certificateFile, _certificates.ClientCertificatePem);
        await File.WriteAllTextAsync(keyFile, _certificates.ClientKeyPem);

        var list = await ListPodsThrough(Kubeconfig(server, [TrustedCa()], [("client-certificate", certificateFile), ("client-key", keyFile)]));

        Assert.Equal(FixturePods, list.Items.Count);
        Assert.Equal(_certificates.Client.Thumbprint, Assert.Single(server.Requests).ClientCertificateThumbprint);
    }

    [Fact]
    public async Task Without_a_client_certificate_a_server_requiring_one_refuses_the_connection()
    {
        var server = await StartServer(_certificates.Server, requireClientCertificate: true);

        await Assert.ThrowsAsync<HttpRequestException>(() => ListPodsThrough(Kubeconfig(server, [TrustedCa()], [("token", "tls-token")])));

        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Tls_server_name_is_the_host_the_server_sees()
    {
        var server = await StartServer(_certificates.Server);

        await ListPodsThrough(Kubeconfig(server, [TrustedCa(), ("tls-server-name", TestCertificates.ServerDnsName)], [("token", "tls-token")]));

        Assert.Equal(TestCertificates.ServerDnsName, Assert.Single(server.Requests).Host);
    }

    [Fact]
    public async Task In_cluster_the_mounted_ca_is_trusted_and_the_token_file_is_the_bearer()
    {
        var server = await StartServer(_certificates.Server);
        var serviceAccount = Directory.CreateDirectory(Path.Combine(_dir, "serviceaccount")).FullName;
        await File.WriteAllTextAsync(Path.Combine(serviceAccount, "token"), "projected-token\n");
        await File.WriteAllTextAsync(Path.Combine(serviceAccount, "ca.crt"), _certificates.Ca.ExportCertificatePem());
        var environment = new InClusterEnvironment("127.0.0.1", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), serviceAccount);

        var connection = KubernetesConnectionFactory.Select(null, environment);
        var list = await ListPodsWith(connection);

        Assert.Equal(KubernetesConfigSource.InCluster, connection.Source);
        Assert.Equal(FixturePods, list.Items.Count);
        Assert.Equal("Bearer projected-token", Assert.Single(server.Requests).Authorization);
    }

    [Fact]
    public async Task A_403_answer_is_an_HttpOperationException_with_its_status()
    {
        var server = await StartServer(_certificates.Server);
        server.AnswerStatus = (int)HttpStatusCode.Forbidden;

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => ListPodsThrough(Kubeconfig(server, [TrustedCa()], [("token", "tls-token")])));

        Assert.Equal(HttpStatusCode.Forbidden, error.Response.StatusCode);
        Assert.Contains("\"reason\":\"Forbidden\"", error.Response.Content, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }
}

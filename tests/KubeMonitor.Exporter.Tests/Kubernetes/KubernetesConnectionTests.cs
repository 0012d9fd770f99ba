using KubeMonitor.TestSupport;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using KubeMonitor.Exporter.Kubernetes;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Tests.Kubernetes;

[Collection(FakeKubeApiServers.Name)]
public sealed class KubernetesConnectionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kubemonitor-k8s-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private InClusterEnvironment NotInCluster() => new(null, null, Path.Combine(_dir, "no-service-account"));

    private InClusterEnvironment ServiceAccount(string host, string port, string token = "in-cluster-token")
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "serviceaccount")).FullName;
        File.WriteAllText(Path.Combine(folder, "token"), token + "\n");
        using var key = ECDsa.Create();
        var request = new CertificateRequest("CN=kubernetes-ca", key, HashAlgorithmName.SHA256);
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(folder, "ca.crt"), ca.ExportCertificatePem());
        return new InClusterEnvironment(host, port, folder);
    }

    private string Kubeconfig(string server, string token = "kubeconfig-token") => TestKubeconfig.Write(_dir, server, token);

    [Fact]
    public void Neither_in_a_pod_nor_a_kubeconfig_means_no_metadata_said_once()
    {
        var connection = KubernetesConnectionFactory.Select(null, NotInCluster());
        var logger = new RecordingLogger();

        var watchers = KubernetesWatchers.Create(connection, new PodMetadataCache(), "node-1", logger);

        Assert.Equal(KubernetesConfigSource.None, connection.Source);
        Assert.Null(connection.Configuration);
        Assert.Null(watchers);
        var line = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("labelled by uid only", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Service_variables_without_a_mounted_token_are_not_in_cluster()
    {
        var environment = new InClusterEnvironment("10.96.0.1", "443", Path.Combine(_dir, "empty"));

        Assert.Equal(KubernetesConfigSource.None, KubernetesConnectionFactory.Select(null, environment).Source);
    }

    [Fact]
    public async Task In_a_pod_the_service_account_is_used()
    {
        var environment = ServiceAccount("10.96.0.1", "6443", token: "sa-token");

        var connection = KubernetesConnectionFactory.Select(null, environment);

        Assert.Equal(KubernetesConfigSource.InCluster, connection.Source);
        var configuration = connection.Configuration!;
        Assert.Equal("https://10.96.0.1:6443/", configuration.Host);
        var header = await configuration.TokenProvider.GetAuthenticationHeaderAsync(CancellationToken.None);
        Assert.Equal(("Bearer", "sa-token"), (header.Scheme, header.Parameter));
        var ca = Assert.Single(configuration.SslCaCerts);
        Assert.Equal("CN=kubernetes-ca", ca.Subject);
    }

    [Fact]
    public void In_cluster_ipv6_service_host_is_bracketed()
    {
        var connection = KubernetesConnectionFactory.Select(null, ServiceAccount("fd00:10:96::1", "443"));

        Assert.Equal("https://[fd00:10:96::1]/", connection.Configuration!.Host);
    }

    [Theory]
    [InlineData("https")]
    [InlineData("0")]
    [InlineData("70000")]
    [InlineData("-1")]
    public void A_bad_service_port_is_a_clear_error(string port)
    {
        var error = Assert.Throws<InvalidOperationException>(() => KubernetesConnectionFactory.Select(null, ServiceAccount("10.96.0.1", port)));

        Assert.Contains("KUBERNETES_SERVICE_PORT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_kubeconfig_wins_over_the_service_account()
    {
        var connection = KubernetesConnectionFactory.Select(Kubeconfig("https://203.0.113.7:6443"), ServiceAccount("10.96.0.1", "443"));

        Assert.Equal(KubernetesConfigSource.Kubeconfig, connection.Source);
        Assert.Equal("https://203.0.113.7:6443", connection.Configuration!.Host);
    }

    [Fact]
    public async Task Kubeconfig_credentials_reach_the_api_server()
    {
        using var api = FakeKubeApi.Start();
        api.ServeList(FakeKubeApi.WithResourceVersion(FakeKubeApi.FixturePodList(), "7"));
        var connection = KubernetesConnectionFactory.Select(Kubeconfig(api.Url, token: "secret-token"), NotInCluster());
        using var client = new KubernetesWatchApi(connection.Configuration!);

        var list = await client.ListPodsAsync("spec.nodeName=datagen-1-35", fromCache: true, CancellationToken.None);

        Assert.Equal(24, list.Items.Count);
        var request = Assert.Single(api.Requests);
        Assert.Equal("Bearer secret-token", request.Authorization);
        Assert.Equal("spec.nodeName=datagen-1-35", request.Param("fieldSelector"));
        Assert.Equal("0", request.Param("resourceVersion"));
    }

    [Fact]
    public void A_missing_kubeconfig_is_an_error_not_a_silent_fallback() =>
        Assert.Throws<FileNotFoundException>(() => KubernetesConnectionFactory.Select(Path.Combine(_dir, "nope"), NotInCluster()));

    [Theory]
    [InlineData("http://localhost:8080")]
    [InlineData("http://localhost:8080/")]
    [InlineData("HTTP://LOCALHOST:8080")]
    public void A_kubeconfig_naming_the_localhost_8080_fallback_is_refused(string server)
    {
        var error = Assert.Throws<InvalidOperationException>(() => KubernetesConnectionFactory.Select(Kubeconfig(server), NotInCluster()));

        Assert.Contains("fallback", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_configuration_BuildDefaultConfig_falls_back_to_is_refused()
    {
        // The exact object BuildDefaultConfig() returns when nothing is configured.
        var fallback = new KubernetesClientConfiguration { Host = "http://localhost:8080" };

        Assert.Throws<InvalidOperationException>(() => KubernetesConnectionFactory.RefuseLocalhostFallback(fallback, "test"));
        Assert.Throws<InvalidOperationException>(() => KubernetesConnectionFactory.RefuseLocalhostFallback(new KubernetesClientConfiguration(), "test"));
    }

    [Theory]
    [InlineData("https://localhost:8080")]
    [InlineData("http://localhost:8001")]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("https://10.0.0.1:6443")]
    public void Real_servers_are_accepted(string host) =>
        KubernetesConnectionFactory.RefuseLocalhostFallback(new KubernetesClientConfiguration { Host = host }, "test");
}

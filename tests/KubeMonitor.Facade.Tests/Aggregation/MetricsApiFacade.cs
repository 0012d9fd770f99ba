using System.Security.Cryptography.X509Certificates;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Facade.Tests.Aggregation;

/// <summary>
/// A real facade process with its metrics.k8s.io HTTPS listener on, trusting a front-proxy CA made
/// for the test, every authenticated user allowed (no API server to review them), holding
/// <see cref="PushedUsage"/>; and a way to stand a kube-aggregator in front of it for a given
/// Kubernetes version, with a kubeconfig for kubectl. Everything it made (process, ports, temp
/// folder) goes on dispose, also after a failed start.
/// </summary>
public sealed class MetricsApiFacade : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("kubemonitor-aggregation-").FullName;
    private readonly TestCa _ca = TestCa.Create("front-proxy-ca");
    private readonly TestCa _clusterCa = TestCa.Create("kubernetes");
    private X509Certificate2? _client;
    private X509Certificate2? _apiServer;
    private FacadeProcess? _facade;

    internal Uri MetricsApiUrl { get; } = new($"https://127.0.0.1:{FacadeProcess.FreePort()}");

    public string FacadeLog => _facade?.Log ?? "";

    /// <summary>The time of the newer of the two samples pushed.</summary>
    internal DateTimeOffset NewestSample { get; private set; }

    public async Task InitializeAsync()
    {
        try
        {
            var caFile = Path.Combine(_folder, "front-proxy-ca.crt");
            await File.WriteAllTextAsync(caFile, _ca.Pem);
            _client = _ca.IssueClient();
            _apiServer = _clusterCa.IssueServer();
            _facade = await FacadeProcess.StartAsync(
            [
                "--Facade:Staleness", "00:10:00",
                "--Facade:MetricsApi:Url", MetricsApiUrl.ToString().TrimEnd('/'),
                "--Facade:MetricsApi:RequestHeaderClientCaFile", caFile,
                "--Facade:MetricsApi:RequestHeaderAllowedNames:0", TestCa.ClientName,
                "--Facade:MetricsApi:Authorization", "AllowAuthenticated",
                // Why a request was refused, in the log a failure message carries.
                "--Logging:LogLevel:KubeMonitor.Facade.MetricsApi", "Debug",
            ]);
            NewestSample = await PushedUsage.PushAsync(_facade.Http, age: TimeSpan.FromSeconds(2));
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>A stand-in API server of version <paramref name="gitVersion"/> in front of this facade, and a kubeconfig for it.</summary>
    internal async Task<(KubeAggregatorStandIn StandIn, string Kubeconfig, Kubectl Kubectl)> FrontAsync(string gitVersion)
    {
        var standIn = await KubeAggregatorStandIn.StartAsync(gitVersion, PushedUsage.Cluster, _apiServer!, MetricsApiUrl, _client!);
        var home = Directory.CreateDirectory(Path.Combine(_folder, $"{gitVersion}-{Guid.NewGuid():N}")).FullName;
        var kubeconfig = TestKubeconfig.Write(home, standIn.Url.ToString().TrimEnd('/'),
            cluster: [("certificate-authority-data", _clusterCa.Base64Pem)], user: [("token", KubeAggregatorStandIn.Token)]);
        return (standIn, kubeconfig, new Kubectl(kubeconfig, home));
    }

    /// <summary>Safe to call twice (a failed start disposes at once; xunit may again).</summary>
    public async Task DisposeAsync()
    {
        if (_facade is not null) await _facade.DisposeAsync();
        _facade = null;
        _client?.Dispose();
        _apiServer?.Dispose();
        _ca.Dispose();
        _clusterCa.Dispose();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}

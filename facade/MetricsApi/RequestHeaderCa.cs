using System.Security.Cryptography.X509Certificates;
using k8s;

namespace KubeMonitor.Facade.MetricsApi;

/// <summary>
/// The CA bundle front-proxy client certificates must chain to: the configured file (read again
/// when it changes), else the <c>requestheader-client-ca-file</c> of ConfigMap
/// kube-system/extension-apiserver-authentication, read again every <see cref="MetricsApiOptions.CaRefreshInterval"/>.
/// </summary>
internal sealed class RequestHeaderCa(MetricsApiOptions options, Func<IKubernetes> kubernetes, TimeProvider clock, ILogger<RequestHeaderCa> logger) : IDisposable
{
    private const string ConfigMapNamespace = "kube-system", ConfigMapName = "extension-apiserver-authentication", ConfigMapKey = "requestheader-client-ca-file";

    /// <summary>After a failed ConfigMap read, the next try comes this much later, not at the next request.</summary>
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _reading = new(1, 1);
    private X509Certificate2Collection? _bundle;
    private bool _read;
    private DateTimeOffset _nextReadAt;
    private DateTime _fileWrittenAt;

    /// <summary>The bundle, or null when there is none (no file, and the ConfigMap unreadable or without the key): no certificate is trusted then.</summary>
    public async ValueTask<X509Certificate2Collection?> GetAsync(CancellationToken cancellationToken)
    {
        if (IsFresh()) return _bundle;
        await _reading.WaitAsync(cancellationToken);
        try
        {
            if (IsFresh()) return _bundle;
            if (!string.IsNullOrEmpty(options.RequestHeaderClientCaFile))
            {
                _bundle = FromFile(options.RequestHeaderClientCaFile);
            }
            else
            {
                var read = await FromConfigMapAsync(cancellationToken);
                _bundle = read ?? _bundle;
                _nextReadAt = clock.GetUtcNow() + (read is null ? RetryAfterFailure : options.CaRefreshInterval);
            }
            _read = true;
            return _bundle;
        }
        finally
        {
            _reading.Release();
        }
    }

    private bool IsFresh() => _read && (string.IsNullOrEmpty(options.RequestHeaderClientCaFile)
        ? clock.GetUtcNow() < _nextReadAt
        : File.GetLastWriteTimeUtc(options.RequestHeaderClientCaFile) == _fileWrittenAt);

    private X509Certificate2Collection? FromFile(string path)
    {
        _fileWrittenAt = File.GetLastWriteTimeUtc(path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Null when it cannot be read now: the bundle read before, if any, stays in use.</summary>
    private async Task<X509Certificate2Collection?> FromConfigMapAsync(CancellationToken cancellationToken)
    {
        try
        {
            var map = await kubernetes().CoreV1.ReadNamespacedConfigMapAsync(ConfigMapName, ConfigMapNamespace, cancellationToken: cancellationToken);
            if (map.Data?.TryGetValue(ConfigMapKey, out var pem) == true) return Parse(pem, $"ConfigMap {ConfigMapNamespace}/{ConfigMapName}");
            logger.LogWarning("ConfigMap {Namespace}/{Name} has no {Key}: the API server has no front proxy configured, only tokens are accepted",
                ConfigMapNamespace, ConfigMapName, ConfigMapKey);
            return new X509Certificate2Collection();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Cannot read ConfigMap {Namespace}/{Name} for the request-header CA: {Error}", ConfigMapNamespace, ConfigMapName, e.Message);
            return null;
        }
    }

    private X509Certificate2Collection Parse(string pem, string from)
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPem(pem);
        logger.LogInformation("metrics.k8s.io: {Count} request-header CA certificate(s) from {From}", bundle.Count, from);
        return bundle;
    }

    public void Dispose() => _reading.Dispose();
}

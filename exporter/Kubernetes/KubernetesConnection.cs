using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Authentication;

namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>Where the exporter's Kubernetes API settings came from.</summary>
public enum KubernetesConfigSource
{
    /// <summary>Neither in a pod nor given a kubeconfig: no metadata, pods are labelled by uid only.</summary>
    None,
    /// <summary>The pod's service account (KUBERNETES_SERVICE_HOST/PORT and the mounted token).</summary>
    InCluster,
    /// <summary>The file named by <c>--kubeconfig</c>.</summary>
    Kubeconfig,
}

/// <summary>The chosen API settings; <see cref="Configuration"/> is null for <see cref="KubernetesConfigSource.None"/>.</summary>
public sealed record KubernetesConnection(KubernetesConfigSource Source, KubernetesClientConfiguration? Configuration, string Description);

/// <summary>What decides "inside a pod": the two service variables and the service account folder.</summary>
public sealed record InClusterEnvironment(string? ServiceHost, string? ServicePort, string ServiceAccountDirectory)
{
    public const string DefaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    public string TokenFile => Path.Combine(ServiceAccountDirectory, "token");
    public string CaFile => Path.Combine(ServiceAccountDirectory, "ca.crt");

    /// <summary>True in a pod whose service account token is mounted.</summary>
    public bool IsInCluster =>
        !string.IsNullOrEmpty(ServiceHost) && !string.IsNullOrEmpty(ServicePort) && File.Exists(TokenFile);

    public static InClusterEnvironment FromProcess() => new(
        Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"),
        Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT"),
        DefaultServiceAccountDirectory);
}

/// <summary>
/// Chooses the API settings: an explicit <c>--kubeconfig</c> first, then the in-cluster service
/// account, else none. <see cref="KubernetesClientConfiguration.BuildDefaultConfig"/> is never
/// used: with nothing configured it silently answers <c>http://localhost:8080</c>, and an
/// exporter that quietly talks to whatever listens there is worse than one without metadata.
/// </summary>
public static class KubernetesConnectionFactory
{
    /// <summary>BuildDefaultConfig's last resort (the API server's insecure port, gone since 1.20).</summary>
    public static readonly Uri LocalhostFallback = new("http://localhost:8080/");

    public static KubernetesConnection Select(string? kubeconfigPath, InClusterEnvironment environment)
    {
        if (!string.IsNullOrWhiteSpace(kubeconfigPath)) return FromKubeconfig(kubeconfigPath);
        if (environment.IsInCluster) return FromServiceAccount(environment);
        return new KubernetesConnection(KubernetesConfigSource.None, null,
            "no Kubernetes API: not in a pod and no --kubeconfig given; pods are labelled by uid only");
    }

    private static KubernetesConnection FromKubeconfig(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"--kubeconfig {full} does not exist", full);
        KubernetesClientConfiguration configuration;
        try
        {
            configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(full);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not YAML, no such context, a user without credentials: the client's own message
            // says which, this says where.
            throw new InvalidOperationException($"--kubeconfig {full} cannot be used: {e.Message}", e);
        }
        RefuseLocalhostFallback(configuration, $"the kubeconfig {full}");
        return new KubernetesConnection(KubernetesConfigSource.Kubeconfig, configuration,
            $"Kubernetes API {configuration.Host} from kubeconfig {full} (context {configuration.CurrentContext})");
    }

    private static KubernetesConnection FromServiceAccount(InClusterEnvironment environment)
    {
        // Built here rather than with InClusterConfig(), whose service account path is fixed and
        // so cannot be pointed at a test folder.
        if (!int.TryParse(environment.ServicePort, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            throw new InvalidOperationException($"KUBERNETES_SERVICE_PORT '{environment.ServicePort}' is not a port number");
        }
        var configuration = new KubernetesClientConfiguration
        {
            Host = new UriBuilder(Uri.UriSchemeHttps, environment.ServiceHost, port).Uri.ToString(),
            // Re-reads the file each minute: the kubelet rotates projected tokens.
            TokenProvider = new TokenFileAuth(environment.TokenFile),
        };
        if (File.Exists(environment.CaFile))
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(environment.CaFile);
            configuration.SslCaCerts = authorities;
        }
        RefuseLocalhostFallback(configuration, "the in-cluster service account");
        return new KubernetesConnection(KubernetesConfigSource.InCluster, configuration,
            $"Kubernetes API {configuration.Host} from the in-cluster service account");
    }

    /// <summary>
    /// Throws for a configuration without a host or with the client's localhost:8080 fallback,
    /// whatever produced it: that address is never a real API server for this exporter.
    /// </summary>
    public static void RefuseLocalhostFallback(KubernetesClientConfiguration configuration, string origin)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (string.IsNullOrWhiteSpace(configuration.Host)
            || !Uri.TryCreate(configuration.Host, UriKind.Absolute, out var host))
        {
            throw new InvalidOperationException($"{origin} names no Kubernetes API server");
        }
        if (Uri.Compare(host, LocalhostFallback, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
        {
            throw new InvalidOperationException(
                $"{origin} points at {LocalhostFallback}, KubernetesClient's silent fallback when nothing is configured; refusing it");
        }
    }
}

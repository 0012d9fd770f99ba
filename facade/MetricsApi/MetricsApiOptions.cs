using KubeMonitor.Facade.Kubernetes;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.MetricsApi;

/// <summary>Who may read the metrics API once authenticated.</summary>
public enum MetricsApiAuthorization
{
    /// <summary>Ask the API server (SubjectAccessReview) for each user, verb and resource; <c>system:masters</c> needs no review.</summary>
    SubjectAccessReview,

    /// <summary>Every authenticated user may read everything (tests, single-user clusters).</summary>
    AllowAuthenticated,
}

/// <summary>The Kubernetes resource metrics API (docs/api.md section 7), section <c>Facade:MetricsApi</c>.</summary>
public sealed class MetricsApiOptions
{
    public const string Section = "Facade:MetricsApi";

    /// <summary>The HTTPS listener (<c>https://0.0.0.0:8443</c>); the API is off when absent.</summary>
    public string? Url { get; set; }

    /// <summary>The serving certificate and its key (PEM); a self-signed one is made at start when absent.</summary>
    public string? TlsCertFile { get; set; }

    public string? TlsKeyFile { get; set; }

    /// <summary>
    /// The CA that front-proxy client certificates must chain to. Unset in a cluster: the
    /// <c>requestheader-client-ca-file</c> of ConfigMap kube-system/extension-apiserver-authentication.
    /// </summary>
    public string? RequestHeaderClientCaFile { get; set; }

    /// <summary>The CNs a front-proxy certificate may have; any when empty.</summary>
    public string[] RequestHeaderAllowedNames { get; set; } = [];

    public MetricsApiAuthorization Authorization { get; set; } = MetricsApiAuthorization.SubjectAccessReview;

    /// <summary>
    /// The averaging window of <c>cpu</c>: 0 (the default) is the last two samples, as metrics-server;
    /// a duration (<c>30s</c>, <c>1m</c>) the rate from the oldest sample within it to the newest.
    /// </summary>
    public string Window { get; set; } = "0";

    /// <summary>How long a TokenReview or SubjectAccessReview answer is reused (Kubernetes' webhook caches keep them 10 s).</summary>
    public TimeSpan ReviewCacheDuration { get; set; } = TimeSpan.FromSeconds(10);

    public int ReviewCacheSize { get; set; } = 4096;

    /// <summary>A review that takes longer than this counts as the API server being unreachable.</summary>
    public TimeSpan ReviewTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the ConfigMap's request-header CA is read again (it rotates with the front-proxy CA).</summary>
    public TimeSpan CaRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    public bool Enabled => !string.IsNullOrWhiteSpace(Url);

    /// <summary>The parsed <see cref="Window"/>; only after validation.</summary>
    public TimeSpan RateSpan => GoDuration.TryParse(Window, out var span) ? span : TimeSpan.Zero;
}

/// <summary>Refuses settings that make no sense, at start (one line on stderr, exit 1).</summary>
internal sealed class MetricsApiOptionsValidator(IOptions<KubernetesOptions> kubernetes) : IValidateOptions<MetricsApiOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsApiOptions options)
    {
        if (!options.Enabled) return ValidateOptionsResult.Success;
        var errors = new List<string>();
        const string at = MetricsApiOptions.Section;
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps || url.AbsolutePath != "/")
        {
            errors.Add($"{at}:Url must be an https:// address with a port and no path (https://0.0.0.0:8443), got '{options.Url}'.");
        }
        if (string.IsNullOrEmpty(options.TlsCertFile) != string.IsNullOrEmpty(options.TlsKeyFile))
        {
            errors.Add($"{at}:TlsCertFile and TlsKeyFile go together (or neither, for a self-signed certificate).");
        }
        foreach (var file in new[] { options.TlsCertFile, options.TlsKeyFile, options.RequestHeaderClientCaFile })
        {
            if (!string.IsNullOrEmpty(file) && !File.Exists(file)) errors.Add($"{at}: the file '{file}' does not exist.");
        }
        if (!GoDuration.TryParse(options.Window, out var window) || window < TimeSpan.Zero)
        {
            errors.Add($"{at}:Window must be 0 or a duration such as 30s or 1m, got '{options.Window}'.");
        }
        if (options.ReviewCacheDuration < TimeSpan.Zero || options.ReviewCacheSize < 0) errors.Add($"{at}:ReviewCacheDuration and ReviewCacheSize must not be negative.");
        if (options.ReviewTimeout <= TimeSpan.Zero) errors.Add($"{at}:ReviewTimeout must be positive.");
        if (options.CaRefreshInterval <= TimeSpan.Zero) errors.Add($"{at}:CaRefreshInterval must be positive.");
        var hasApiServer = KubernetesClientSetup.IsConfigured(kubernetes.Value);
        if (options.Authorization == MetricsApiAuthorization.SubjectAccessReview && !hasApiServer)
        {
            errors.Add($"{at}:Authorization is SubjectAccessReview but no Kubernetes API server is configured (not in a pod, {KubernetesOptions.Section}:Kubeconfig not set); set it to AllowAuthenticated to allow every authenticated user.");
        }
        if (string.IsNullOrEmpty(options.RequestHeaderClientCaFile) && !hasApiServer)
        {
            errors.Add($"{at}: nobody could authenticate: set RequestHeaderClientCaFile, or configure a Kubernetes API server for its ConfigMap and TokenReview.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

namespace KubeMonitor.Facade.Sources.Prometheus;

/// <summary>Where and how the facade reads a Prometheus-compatible server, section <c>Facade:Prometheus</c> (docs/api.md section 8).</summary>
public sealed class PrometheusOptions
{
    public const string Section = "Facade:Prometheus";

    /// <summary>
    /// Base URL of the HTTP API, with any path prefix before <c>/api/v1</c>
    /// (<c>http://prometheus:9090</c>, <c>http://mimir/prometheus</c>).
    /// </summary>
    public string? Url { get; set; }

    /// <summary>Extra headers on every request (<c>X-Scope-OrgID</c> for a multi-tenant Mimir or Thanos).</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A file holding a bearer token, re-read when it changes (a rotated Secret).</summary>
    public string? BearerTokenFile { get; set; }

    /// <summary>The longest the facade waits for the backend on one request, retries included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest <c>?window=</c> in this mode.</summary>
    public TimeSpan MaxWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Label matchers added to every selector, so that one backend can hold several clusters
    /// (<c>cluster="prod-1"</c>).
    /// </summary>
    public string? Selector { get; set; }
}

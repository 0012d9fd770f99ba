namespace KubeMonitor.Facade.Auth;

/// <summary>How push requests prove who they come from.</summary>
public enum PushAuthMode
{
    /// <summary>No credential is asked for (a trusted network, or a test cluster).</summary>
    None,

    /// <summary>A shared bearer token, given inline or in a file (a mounted Secret).</summary>
    Token,

    /// <summary>A Kubernetes ServiceAccount token, verified by the API server with a TokenReview.</summary>
    TokenReview,
}

/// <summary>Options of push authentication, bound from the configuration section <c>Facade:Auth</c>.</summary>
public sealed class PushAuthOptions
{
    public const string Section = "Facade:Auth";

    /// <summary>The exporter's ServiceAccount as the API server names it in a TokenReview.</summary>
    public const string DefaultServiceAccount = "system:serviceaccount:kubemonitor:kubemonitor-exporter";

    /// <summary>Unset means <see cref="PushAuthMode.Token"/> when a token is configured, else <see cref="PushAuthMode.None"/>.</summary>
    public PushAuthMode? Mode { get; set; }

    /// <summary>The shared token itself (prefer <see cref="TokenFile"/>: configuration values leak into dumps).</summary>
    public string? Token { get; set; }

    /// <summary>A file holding the shared token; re-read when it changes, as a mounted Secret does on rotation.</summary>
    public string? TokenFile { get; set; }

    /// <summary>The audience the exporter's projected ServiceAccount token is issued for.</summary>
    public string Audience { get; set; } = "kubemonitor-facade";

    /// <summary>The only user a TokenReview may name for a push to be accepted.</summary>
    public string ServiceAccount { get; set; } = DefaultServiceAccount;

    /// <summary>When false (the default) GET, HEAD and OPTIONS pass without a credential.</summary>
    public bool ProtectReads { get; set; }

    /// <summary>How long an accepted TokenReview is trusted without asking the API server again.</summary>
    public TimeSpan ReviewCacheDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a denied TokenReview is remembered: short, so a fixed RBAC or clock is picked up soon.</summary>
    public TimeSpan DenialCacheDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// At most this many accepted tokens are remembered (one per exporter pod is typical), and as many
    /// denied ones apart from them; the least recently used goes first.
    /// </summary>
    public int ReviewCacheSize { get; set; } = 4096;

    /// <summary>
    /// After this many failed credentials (401 or 403) from one client address within
    /// <see cref="FailureWindow"/>, its requests are a 429 until the window ends. 0 switches it off.
    /// </summary>
    public int FailureLimit { get; set; } = 20;

    /// <summary>The window over which <see cref="FailureLimit"/> counts, from an address's first failure.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>At most this many client addresses are remembered for <see cref="FailureLimit"/>; the least recently seen goes first.</summary>
    public int FailureTrackedAddresses { get; set; } = 10_000;

    /// <summary>A TokenReview that takes longer than this counts as the API server being unreachable.</summary>
    public TimeSpan ReviewTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public bool HasToken => !string.IsNullOrEmpty(Token) || !string.IsNullOrEmpty(TokenFile);

    public PushAuthMode EffectiveMode => Mode ?? (HasToken ? PushAuthMode.Token : PushAuthMode.None);
}

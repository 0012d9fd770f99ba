using k8s;
using KubeMonitor.Facade.Kubernetes;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Auth;

/// <summary>Wiring of push authentication: one call in the services, one on each endpoint group.</summary>
public static class PushAuthentication
{
    /// <summary>
    /// Binds <c>Facade:Auth</c>, checks it at start-up, and registers the validator of its mode.
    /// TokenReview mode also registers the Kubernetes client (<c>Facade:Kubernetes</c>).
    /// </summary>
    public static IServiceCollection AddPushAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddKubernetesClient(configuration);
        services.AddOptions<PushAuthOptions>()
            .Bind(configuration.GetSection(PushAuthOptions.Section))
            .Validate(o => o.EffectiveMode != PushAuthMode.Token || o.HasToken,
                $"{PushAuthOptions.Section}:Mode is Token but neither Token nor TokenFile is set.")
            .Validate(o => o.EffectiveMode != PushAuthMode.TokenReview || !string.IsNullOrWhiteSpace(o.Audience),
                $"{PushAuthOptions.Section}:Audience must be set in TokenReview mode (else any token for the API server would do).")
            .Validate(o => o.EffectiveMode != PushAuthMode.TokenReview || !string.IsNullOrWhiteSpace(o.ServiceAccount),
                $"{PushAuthOptions.Section}:ServiceAccount must be set in TokenReview mode.")
            .Validate(o => o.ReviewCacheDuration >= TimeSpan.Zero && o.DenialCacheDuration >= TimeSpan.Zero && o.ReviewCacheSize >= 0,
                $"{PushAuthOptions.Section}:ReviewCacheDuration, DenialCacheDuration and ReviewCacheSize must not be negative (0 switches caching off).")
            .Validate(o => o.ReviewTimeout > TimeSpan.Zero,
                $"{PushAuthOptions.Section}:ReviewTimeout must be positive.")
            .Validate(o => o.FailureLimit == 0 || (o.FailureLimit > 0 && o.FailureWindow > TimeSpan.Zero && o.FailureTrackedAddresses > 0),
                $"{PushAuthOptions.Section}:FailureLimit must be 0 (off) or positive, with a positive FailureWindow and FailureTrackedAddresses.")
            .ValidateOnStart();
        services.AddOptions<KubernetesOptions>()
            .Validate<IOptions<PushAuthOptions>>(
                (k, auth) => auth.Value.EffectiveMode != PushAuthMode.TokenReview || KubernetesClientSetup.IsConfigured(k),
                $"{PushAuthOptions.Section}:Mode is TokenReview but no Kubernetes API server is configured (not in a pod, {KubernetesOptions.Section}:Kubeconfig not set).")
            .ValidateOnStart();

        services.TryAddSingleton<IPushCredentialValidator>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PushAuthOptions>>().Value;
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PushAuthentication));
            switch (options.EffectiveMode)
            {
                case PushAuthMode.TokenReview:
                    logger.LogInformation("Push authentication: TokenReview, audience {Audience}, ServiceAccount {ServiceAccount}", options.Audience, options.ServiceAccount);
                    return new TokenReviewValidator(sp.GetRequiredService<IKubernetes>, options,
                        sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TokenReviewValidator>>());
                case PushAuthMode.Token:
                    logger.LogInformation("Push authentication: shared token from {Source}", string.IsNullOrEmpty(options.TokenFile) ? "configuration" : options.TokenFile);
                    return new StaticTokenValidator(options);
                default:
                    if (options.HasToken) logger.LogWarning("Push authentication is off (Mode None) although a token is configured");
                    else logger.LogInformation("Push authentication is off: anyone who reaches the facade can push");
                    return new NoCredentialNeeded();
            }
        });
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PushAuthOptions>>().Value;
            return new FailureThrottle(sp.GetRequiredService<TimeProvider>(), options.FailureLimit, options.FailureWindow, options.FailureTrackedAddresses);
        });
        services.TryAddSingleton(sp => new PushAuthenticationFilter(
            sp.GetRequiredService<IOptions<PushAuthOptions>>().Value,
            sp.GetRequiredService<IPushCredentialValidator>(),
            sp.GetRequiredService<FailureThrottle>(),
            sp.GetRequiredService<ILogger<PushAuthenticationFilter>>()));
        return services;
    }

    /// <summary>
    /// Requires the push credential on every endpoint of the group. Reads (GET, HEAD, OPTIONS)
    /// stay open unless <c>Facade:Auth:ProtectReads</c>, so this may go on a group that mixes both.
    /// </summary>
    public static RouteGroupBuilder RequirePushCredential(this RouteGroupBuilder group)
    {
        var filter = ((IEndpointRouteBuilder)group).ServiceProvider.GetService<PushAuthenticationFilter>()
            ?? throw new InvalidOperationException("RequirePushCredential() needs services.AddPushAuthentication(configuration) first.");
        group.AddEndpointFilter(filter);
        return group;
    }

    private sealed class NoCredentialNeeded : IPushCredentialValidator
    {
        public ValueTask<PushCredentialResult> ValidateAsync(string token, CancellationToken cancellationToken) =>
            ValueTask.FromResult(PushCredentialResult.Accepted("anyone (authentication off)"));
    }
}

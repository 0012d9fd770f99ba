using k8s;
using KubeMonitor.Facade.Auth;

namespace KubeMonitor.Facade.MetricsApi;

/// <summary>
/// A bearer token is the caller the API server's TokenReview names (for the API server's own
/// audiences, as delegated authentication asks). Verdicts are cached as push tokens are (<see cref="ReviewCache{TResult}"/>).
/// </summary>
internal sealed class TokenAuthenticator(Func<IKubernetes>? kubernetes, MetricsApiOptions options, TimeProvider clock, ILogger<TokenAuthenticator> logger)
{
    private readonly ReviewCache<Reviewed<Caller>> _cache =
        new(clock, options.ReviewCacheDuration, options.ReviewCacheDuration, options.ReviewCacheSize, static r => r.Verdict);

    public async ValueTask<Reviewed<Caller>> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        if (kubernetes is null) return Reviewed<Caller>.Rejected("no Kubernetes API server is configured to review tokens");
        return await _cache.GetOrReviewAsync(ReviewCache.KeyOf(token), () => ReviewAsync(token), cancellationToken);
    }

    private async Task<Reviewed<Caller>> ReviewAsync(string token)
    {
        var (status, unavailable) = await TokenReviewCall.ReviewAsync(kubernetes!(), token, audiences: null, options.ReviewTimeout, logger).ConfigureAwait(false);
        if (unavailable is not null) return Reviewed<Caller>.Unavailable(unavailable);
        if (status!.Authenticated != true || status.User?.Username is not { Length: > 0 } user)
        {
            return Reviewed<Caller>.Rejected("the token is not authenticated" + (string.IsNullOrEmpty(status.Error) ? "" : ": " + status.Error));
        }
        var extra = (status.User.Extra ?? new Dictionary<string, IList<string>>())
            .ToDictionary(e => e.Key, e => (IReadOnlyList<string>)[.. e.Value ?? []], StringComparer.Ordinal);
        return Reviewed<Caller>.Accepted(new Caller(user, [.. status.User.Groups ?? []], extra));
    }
}

using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeMonitor.Facade.Auth;

/// <summary>
/// Accepts a Kubernetes ServiceAccount token when the API server's TokenReview says it is
/// authenticated, issued for our audience, and belongs to the exporter's ServiceAccount.
/// </summary>
internal sealed class TokenReviewValidator(
    Func<IKubernetes> client, PushAuthOptions options, TimeProvider clock, ILogger<TokenReviewValidator> logger)
    : IPushCredentialValidator
{
    private readonly ReviewCache cache = new(clock, options.ReviewCacheDuration, options.ReviewCacheSize);

    internal int CachedCount => cache.Count;

    public async ValueTask<PushCredentialResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var key = ReviewCache.KeyOf(token);
        if (cache.Contains(key)) return PushCredentialResult.Accepted(options.ServiceAccount + " (cached review)");

        V1TokenReview review;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ReviewTimeout);
        try
        {
            var request = new V1TokenReview
            {
                ApiVersion = "authentication.k8s.io/v1",
                Kind = "TokenReview",
                Spec = new V1TokenReviewSpec { Token = token, Audiences = [options.Audience] },
            };
            review = await client().AuthenticationV1.CreateTokenReviewAsync(request, cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("TokenReview timed out after {Timeout}", options.ReviewTimeout);
            return PushCredentialResult.Unavailable("the Kubernetes API server did not answer the TokenReview in time");
        }
        catch (HttpOperationException e)
        {
            // 401/403 here mean the facade itself may not create TokenReviews (RBAC), 5xx an API
            // server in trouble: either way the pusher's token could not be judged.
            logger.LogWarning("TokenReview failed with HTTP {Status}", (int)e.Response.StatusCode);
            return PushCredentialResult.Unavailable($"the Kubernetes API server answered the TokenReview with HTTP {(int)e.Response.StatusCode}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Connection refused, TLS, a proxy's non-JSON answer, a broken kubeconfig: fail closed.
            logger.LogWarning("TokenReview could not reach the Kubernetes API server: {Error}", e.Message);
            return PushCredentialResult.Unavailable("the Kubernetes API server is unreachable");
        }

        var verdict = Judge(review.Status);
        if (verdict.Verdict == PushCredentialVerdict.Accepted) cache.Add(key);
        return verdict;
    }

    private PushCredentialResult Judge(V1TokenReviewStatus? status)
    {
        if (status?.Authenticated != true)
        {
            // status.error is the API server's reason ("token has expired"); it names no secret.
            return PushCredentialResult.Rejected("the token is not authenticated" + (string.IsNullOrEmpty(status?.Error) ? "" : ": " + status.Error));
        }
        if (status.Audiences is null || !status.Audiences.Contains(options.Audience, StringComparer.Ordinal))
        {
            return PushCredentialResult.Rejected($"the token is not issued for the audience '{options.Audience}'");
        }
        var user = status.User?.Username;
        if (!string.Equals(user, options.ServiceAccount, StringComparison.Ordinal))
        {
            return PushCredentialResult.Rejected($"'{user}' is not the exporter's ServiceAccount");
        }
        return PushCredentialResult.Accepted(options.ServiceAccount);
    }
}

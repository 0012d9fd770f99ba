using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeMonitor.Facade.Auth;

/// <summary>
/// One TokenReview against the API server, bounded by a timeout; every failure to get an answer
/// (timeout, HTTP error, unreachable) is a reason, never an exception, so callers fail closed.
/// Shared by push authentication and the metrics API.
/// </summary>
internal static class TokenReviewCall
{
    /// <returns>The review's status, or null with why the API server gave none.</returns>
    public static async Task<(V1TokenReviewStatus? Status, string? Unavailable)> ReviewAsync(
        IKubernetes client, string token, IList<string>? audiences, TimeSpan timeout, ILogger logger)
    {
        // Real time, not an injected clock: it bounds a real network call.
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            var request = new V1TokenReview
            {
                ApiVersion = "authentication.k8s.io/v1",
                Kind = "TokenReview",
                Spec = new V1TokenReviewSpec { Token = token, Audiences = audiences },
            };
            var review = await client.AuthenticationV1.CreateTokenReviewAsync(request, cancellationToken: cancellation.Token).ConfigureAwait(false);
            return (review.Status ?? new V1TokenReviewStatus(), null);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("TokenReview timed out after {Timeout}", timeout);
            return (null, "the Kubernetes API server did not answer the TokenReview in time");
        }
        catch (HttpOperationException e)
        {
            // 401/403 here mean the facade itself may not create TokenReviews (RBAC), 5xx an API
            // server in trouble: either way the token could not be judged.
            logger.LogWarning("TokenReview failed with HTTP {Status}", (int)e.Response.StatusCode);
            return (null, $"the Kubernetes API server answered the TokenReview with HTTP {(int)e.Response.StatusCode}");
        }
        catch (Exception e)
        {
            // Connection refused, TLS, a proxy's non-JSON answer, a broken kubeconfig: fail closed.
            logger.LogWarning("TokenReview could not reach the Kubernetes API server: {Error}", e.Message);
            return (null, "the Kubernetes API server is unreachable");
        }
    }
}

using k8s;
using k8s.Models;

namespace KubeMonitor.Facade.Auth;

/// <summary>
/// Accepts a Kubernetes ServiceAccount token when the API server's TokenReview says it is
/// authenticated, issued for our audience, and belongs to the exporter's ServiceAccount.
/// A token bound to a pod on a node (Kubernetes 1.30+) is accepted for that node only.
/// </summary>
internal sealed class TokenReviewValidator(
    Func<IKubernetes> client, PushAuthOptions options, TimeProvider clock, ILogger<TokenReviewValidator> logger)
    : IPushCredentialValidator
{
    /// <summary>The user extra naming the node of the pod a token is bound to (KEP-4193, Kubernetes 1.30+).</summary>
    public const string NodeNameExtra = "authentication.kubernetes.io/node-name";

    private readonly ReviewCache cache = new(clock, options.ReviewCacheDuration, options.DenialCacheDuration, options.ReviewCacheSize);

    internal ReviewCache Cache => cache;

    public ValueTask<PushCredentialResult> ValidateAsync(string token, CancellationToken cancellationToken) =>
        cache.GetOrReviewAsync(ReviewCache.KeyOf(token), () => ReviewAsync(token), cancellationToken);

    // Not tied to the request that started it: concurrent requests with the same token wait for
    // this one review (ReviewCache), and ReviewTimeout bounds it.
    private async Task<PushCredentialResult> ReviewAsync(string token)
    {
        var (status, unavailable) = await TokenReviewCall.ReviewAsync(client(), token, [options.Audience], options.ReviewTimeout, logger).ConfigureAwait(false);
        return unavailable is not null ? PushCredentialResult.Unavailable(unavailable) : Judge(status);
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
        if (status.User!.Extra is not { } extra || !extra.TryGetValue(NodeNameExtra, out var nodes) || nodes is null)
        {
            // Older clusters, or a token not bound to a pod: no node to hold it to.
            return PushCredentialResult.Accepted(options.ServiceAccount);
        }
        // Present but not one name is not a binding we understand: refuse rather than guess.
        if (nodes.Count != 1 || string.IsNullOrEmpty(nodes[0]))
        {
            return PushCredentialResult.Rejected($"the token's {NodeNameExtra} does not name exactly one node");
        }
        return PushCredentialResult.Accepted($"{options.ServiceAccount} on node '{nodes[0]}'", nodes[0]);
    }
}

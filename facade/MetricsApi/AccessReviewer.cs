using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeMonitor.Facade.Auth;

namespace KubeMonitor.Facade.MetricsApi;

/// <summary>
/// Whether a caller may do what a request asks: a SubjectAccessReview (verb, group
/// metrics.k8s.io, resource, namespace, name), allowed and denied answers cached briefly.
/// <c>system:masters</c> needs no review; discovery is for every authenticated caller (the
/// <c>system:discovery</c> role grants it to all); <see cref="MetricsApiAuthorization.AllowAuthenticated"/> allows everything.
/// </summary>
internal sealed class AccessReviewer(Func<IKubernetes>? kubernetes, MetricsApiOptions options, TimeProvider clock, ILogger<AccessReviewer> logger)
{
    private readonly ReviewCache<Reviewed<bool>> _cache =
        new(clock, options.ReviewCacheDuration, options.ReviewCacheDuration, options.ReviewCacheSize, static r => r.Verdict);

    public async ValueTask<Reviewed<bool>> ReviewAsync(Caller caller, AccessRequest access, CancellationToken cancellationToken)
    {
        if (options.Authorization == MetricsApiAuthorization.AllowAuthenticated || caller.IsMaster || access.Resource is null)
        {
            return Reviewed<bool>.Accepted(true);
        }
        if (kubernetes is null) return Reviewed<bool>.Unavailable("no Kubernetes API server is configured for SubjectAccessReview");
        return await _cache.GetOrReviewAsync(KeyOf(caller, access), () => AskAsync(caller, access), cancellationToken);
    }

    /// <summary>Everything the answer depends on, hashed (user names and groups are not secrets, but need not sit in memory twice).</summary>
    private static string KeyOf(Caller caller, AccessRequest access)
    {
        var text = new StringBuilder();
        text.Append(caller.User).Append('\n').AppendJoin('\u001f', caller.Groups).Append('\n');
        foreach (var (key, values) in caller.Extra.OrderBy(e => e.Key, StringComparer.Ordinal)) text.Append(key).Append('=').AppendJoin('\u001f', values).Append('\u001e');
        text.Append('\n').Append(access.Verb).Append('\n').Append(access.Resource).Append('\n').Append(access.Namespace).Append('\n').Append(access.Name);
        return ReviewCache.KeyOf(text.ToString());
    }

    private async Task<Reviewed<bool>> AskAsync(Caller caller, AccessRequest access)
    {
        using var timeout = new CancellationTokenSource(options.ReviewTimeout);
        try
        {
            var review = new V1SubjectAccessReview
            {
                ApiVersion = "authorization.k8s.io/v1",
                Kind = "SubjectAccessReview",
                Spec = new V1SubjectAccessReviewSpec
                {
                    User = caller.User,
                    Groups = [.. caller.Groups],
                    Extra = caller.Extra.Count == 0 ? null : caller.Extra.ToDictionary(e => e.Key, e => (IList<string>)[.. e.Value]),
                    ResourceAttributes = new V1ResourceAttributes
                    {
                        Verb = access.Verb,
                        Group = MetricsResources.Group,
                        Version = MetricsResources.Version,
                        Resource = access.Resource,
                        NamespaceProperty = access.Namespace,
                        Name = access.Name,
                    },
                },
            };
            var answer = await kubernetes!().AuthorizationV1.CreateSubjectAccessReviewAsync(review, cancellationToken: timeout.Token).ConfigureAwait(false);
            return answer.Status?.Allowed == true ? Reviewed<bool>.Accepted(true) : Reviewed<bool>.Rejected(answer.Status?.Reason ?? "");
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("SubjectAccessReview timed out after {Timeout}", options.ReviewTimeout);
            return Reviewed<bool>.Unavailable("the Kubernetes API server did not answer the SubjectAccessReview in time");
        }
        catch (HttpOperationException e)
        {
            logger.LogWarning("SubjectAccessReview failed with HTTP {Status}", (int)e.Response.StatusCode);
            return Reviewed<bool>.Unavailable($"the Kubernetes API server answered the SubjectAccessReview with HTTP {(int)e.Response.StatusCode}");
        }
        catch (Exception e)
        {
            logger.LogWarning("SubjectAccessReview could not reach the Kubernetes API server: {Error}", e.Message);
            return Reviewed<bool>.Unavailable("the Kubernetes API server is unreachable");
        }
    }
}

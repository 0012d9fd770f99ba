using KubeMonitor.Facade.Auth;

namespace KubeMonitor.Facade.MetricsApi;

/// <summary>The verb and resource of an endpoint, for its SubjectAccessReview; discovery endpoints have none.</summary>
internal sealed record AccessRule(string Verb, string Resource);

/// <summary>
/// Authentication of every request on the listener, before routing says anything: a trusted
/// front-proxy certificate with <c>X-Remote-User</c>, else a bearer token via TokenReview, else a
/// 401 Status (so an unknown path is a 401 too for a stranger, as on the API server).
/// </summary>
internal sealed class MetricsApiAuthentication(FrontProxyAuthenticator frontProxy, TokenAuthenticator tokens, ILogger<MetricsApiAuthentication> logger)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (await AuthenticateAsync(context) is { } caller)
        {
            context.Features.Set(caller);
            await next(context);
            return;
        }
        await Answer.WriteAsync(context, KubeStatus.Unauthorized());
    }

    private async Task<Caller?> AuthenticateAsync(HttpContext context)
    {
        if (await frontProxy.AuthenticateAsync(context) is { } proxied) return proxied;
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || authorization[7..].Trim() is not { Length: > 0 } token) return null;
        var reviewed = await tokens.AuthenticateAsync(token, context.RequestAborted);
        // As on the API server: a token that cannot be reviewed now does not authenticate (401), whatever the reason.
        if (reviewed.Verdict != PushCredentialVerdict.Accepted) logger.LogDebug("metrics.k8s.io: bearer token refused: {Reason}", reviewed.Reason);
        return reviewed.Verdict == PushCredentialVerdict.Accepted ? reviewed.Value : null;
    }
}

/// <summary>Authorization of each endpoint: its <see cref="AccessRule"/> with the path's namespace and name, through <see cref="AccessReviewer"/>.</summary>
internal sealed class AccessFilter(AccessReviewer reviewer) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var caller = http.Features.Get<Caller>() ?? throw new InvalidOperationException("The metrics API's endpoints run after its authentication.");
        var rule = http.GetEndpoint()?.Metadata.GetMetadata<AccessRule>();
        var access = new AccessRequest(rule?.Verb ?? "get", rule?.Resource,
            http.Request.RouteValues["namespace"] as string, http.Request.RouteValues["name"] as string);
        var reviewed = await reviewer.ReviewAsync(caller, access, http.RequestAborted);
        return reviewed.Verdict switch
        {
            PushCredentialVerdict.Accepted => await next(context),
            PushCredentialVerdict.Rejected => Answer.Status(KubeStatus.Forbidden(caller.User, access)),
            _ => Answer.Status(KubeStatus.Unavailable($"cannot authorize the request: {reviewed.Reason}")),
        };
    }
}

using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KubeMonitor.Facade.Auth;

/// <summary>
/// Lets a request reach its handler only with an accepted <c>Authorization: Bearer</c> token.
/// A rejected request is answered here, before the handler, so nothing of it is stored.
/// Safe methods (GET, HEAD, OPTIONS) pass unless <see cref="PushAuthOptions.ProtectReads"/>.
/// A token bound to a node may push only where the route's <c>{node}</c> is that node; the
/// accepted <see cref="PushIdentity"/> goes into <c>HttpContext.Features</c> for the handler.
/// A client address with too many failed credentials is turned away (429) before any check.
/// </summary>
internal sealed class PushAuthenticationFilter(
    PushAuthOptions options, IPushCredentialValidator validator, FailureThrottle throttle, ILogger<PushAuthenticationFilter> logger) : IEndpointFilter
{
    public const string NodeRouteValue = "node";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (options.EffectiveMode == PushAuthMode.None) return await next(context).ConfigureAwait(false);
        var safe = IsSafe(http.Request.Method);
        if (!options.ProtectReads && safe) return await next(context).ConfigureAwait(false);

        var remote = http.Connection.RemoteIpAddress;
        if (throttle.IsBlocked(remote, out var retryAfter))
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            logger.LogDebug("{Method} {Path} from {Remote}: too many failed credentials, 429 for {Seconds} s", http.Request.Method, http.Request.Path, remote, seconds);
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status429TooManyRequests, "Too many failed credentials",
                $"This address sent {options.FailureLimit} or more failed credentials within {options.FailureWindow.TotalSeconds:0} s; retry in {seconds} s.");
        }

        var token = BearerToken(http.Request);
        if (token is null)
        {
            logger.LogDebug("{Method} {Path} from {Remote}: no bearer token, 401", http.Request.Method, http.Request.Path, remote);
            Failed(http);
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
                "This endpoint requires an 'Authorization: Bearer <token>' header.");
        }

        var result = await validator.ValidateAsync(token, http.RequestAborted).ConfigureAwait(false);
        switch (result.Verdict)
        {
            case PushCredentialVerdict.Accepted:
                var identity = new PushIdentity(result.Reason, result.BoundNode);
                // Reading another node is not pushing for it: only writes are held to the bound node.
                if (!safe && http.Request.RouteValues.TryGetValue(NodeRouteValue, out var value) && value is string node && !identity.MayPushFor(node))
                {
                    logger.LogDebug("{Method} {Path} from {Remote}: token bound to node {Bound}, 403", http.Request.Method, http.Request.Path, remote, identity.BoundNode);
                    Failed(http);
                    return NodeBinding.Forbidden(identity.BoundNode!, node, "the path");
                }
                logger.LogDebug("{Method} {Path} from {Remote}: accepted ({Who})", http.Request.Method, http.Request.Path, remote, result.Reason);
                http.Features.Set(identity);
                return await next(context).ConfigureAwait(false);
            case PushCredentialVerdict.Rejected:
                logger.LogDebug("{Method} {Path} from {Remote}: rejected, 403 ({Reason})", http.Request.Method, http.Request.Path, remote, result.Reason);
                Failed(http);
                return Problem(StatusCodes.Status403Forbidden, "Forbidden", "The bearer token is not accepted: " + result.Reason + ".");
            default:
                // Not the client's fault: not counted as a failure.
                logger.LogWarning("{Method} {Path} from {Remote}: credential could not be checked, 503 ({Reason})", http.Request.Method, http.Request.Path, remote, result.Reason);
                http.Response.Headers.RetryAfter = "5";
                return Problem(StatusCodes.Status503ServiceUnavailable, "Service Unavailable",
                    "The credential could not be checked: " + result.Reason + ". Nothing was stored; retry later.");
        }
    }

    private void Failed(HttpContext http)
    {
        var remote = http.Connection.RemoteIpAddress;
        if (throttle.RecordFailure(remote))
        {
            logger.LogWarning("{Remote} sent {Limit} failed credentials within {Window}: its requests are refused (429) until the window ends",
                remote?.ToString() ?? "a client without an address", options.FailureLimit, options.FailureWindow);
        }
    }

    private static bool IsSafe(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    /// <summary>The token of a single well-formed <c>Bearer</c> credential (RFC 6750), else null.</summary>
    internal static string? BearerToken(HttpRequest request)
    {
        var values = request.Headers.Authorization;
        if (values.Count != 1) return null;
        if (!AuthenticationHeaderValue.TryParse(values[0], out var header)) return null;
        if (!string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)) return null;
        var token = header.Parameter;
        if (string.IsNullOrEmpty(token) || token.Any(char.IsWhiteSpace)) return null;
        return token;
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}

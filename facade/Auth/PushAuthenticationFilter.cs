using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KubeMonitor.Facade.Auth;

/// <summary>
/// Lets a request reach its handler only with an accepted <c>Authorization: Bearer</c> token.
/// A rejected request is answered here, before the handler, so nothing of it is stored.
/// Safe methods (GET, HEAD, OPTIONS) pass unless <see cref="PushAuthOptions.ProtectReads"/>.
/// </summary>
internal sealed class PushAuthenticationFilter(
    PushAuthOptions options, IPushCredentialValidator validator, ILogger<PushAuthenticationFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (options.EffectiveMode == PushAuthMode.None) return await next(context).ConfigureAwait(false);
        if (!options.ProtectReads && IsSafe(http.Request.Method)) return await next(context).ConfigureAwait(false);

        var token = BearerToken(http.Request);
        if (token is null)
        {
            logger.LogDebug("{Method} {Path} from {Remote}: no bearer token, 401", http.Request.Method, http.Request.Path, http.Connection.RemoteIpAddress);
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
                "This endpoint requires an 'Authorization: Bearer <token>' header.");
        }

        var result = await validator.ValidateAsync(token, http.RequestAborted).ConfigureAwait(false);
        switch (result.Verdict)
        {
            case PushCredentialVerdict.Accepted:
                logger.LogDebug("{Method} {Path} from {Remote}: accepted ({Who})", http.Request.Method, http.Request.Path, http.Connection.RemoteIpAddress, result.Reason);
                return await next(context).ConfigureAwait(false);
            case PushCredentialVerdict.Rejected:
                logger.LogDebug("{Method} {Path} from {Remote}: rejected, 403 ({Reason})", http.Request.Method, http.Request.Path, http.Connection.RemoteIpAddress, result.Reason);
                return Problem(StatusCodes.Status403Forbidden, "Forbidden", "The bearer token is not accepted: " + result.Reason + ".");
            default:
                logger.LogWarning("{Method} {Path} from {Remote}: credential could not be checked, 503 ({Reason})", http.Request.Method, http.Request.Path, http.Connection.RemoteIpAddress, result.Reason);
                http.Response.Headers.RetryAfter = "5";
                return Problem(StatusCodes.Status503ServiceUnavailable, "Service Unavailable",
                    "The credential could not be checked: " + result.Reason + ". Nothing was stored; retry later.");
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

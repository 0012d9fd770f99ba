using System.Globalization;
using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Storage;
using Microsoft.AspNetCore.Diagnostics;

namespace KubeMonitor.Facade.Api;

/// <summary>
/// A source that cannot answer (a Prometheus backend down, slow or refusing) is a 503 problem with
/// <c>Retry-After</c>, from any endpoint: the facade is fine, its backend is not.
/// </summary>
internal sealed class SourceUnavailableHandler(ILogger<SourceUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not SourceUnavailableException unavailable) return false;
        logger.LogDebug("{Method} {Path}: 503, {Reason}", httpContext.Request.Method, httpContext.Request.Path, unavailable.Message);
        var seconds = Math.Max(1, (int)Math.Ceiling(unavailable.RetryAfter.TotalSeconds));
        httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await Problems.SourceUnavailable(unavailable.Message).ExecuteAsync(httpContext);
        return true;
    }
}

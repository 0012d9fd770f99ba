using KubeMonitor.Facade.Api;
using KubeMonitor.Facade.Queries;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Info;

/// <summary>
/// <c>GET /api/info</c> (an addition to docs/api.md section 3): what a client must know before it
/// asks for a series, chiefly the longest <c>?window=</c> this source answers (the retention, or
/// <c>Prometheus:MaxWindow</c>), which otherwise only a 400's sentence would tell.
/// </summary>
internal static class InfoApi
{
    public static RouteHandlerBuilder MapInfo(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/info", GetInfo).WithTags("Info").WithSummary("The query source, its longest window, the default step and the staleness limit.");

    public static FacadeInfo GetInfo(IMetricsQueries queries, IOptions<FacadeOptions> options)
    {
        var settings = options.Value;
        return new FacadeInfo(
            settings.Source.ToString().ToLowerInvariant(),
            WindowQuery.LongestSeconds(queries.MaxWindow),
            settings.DefaultStepSeconds,
            WindowQuery.LongestSeconds(settings.Staleness));
    }
}

/// <summary>The answer of <c>GET /api/info</c>; <c>source</c> is <c>memory</c> or <c>prometheus</c>.</summary>
public sealed record FacadeInfo(string Source, int MaxWindowSeconds, int DefaultStepSeconds, int StalenessSeconds);

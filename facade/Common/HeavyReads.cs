using System.Globalization;
using System.Threading.RateLimiting;
using KubeMonitor.Facade.Telemetry;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Common;

/// <summary>
/// Heavy reads (whole lists, namespace and deployment rollups, any <c>?window=</c>) run at most
/// <see cref="FacadeOptions.MaxConcurrentReads"/> at once; beyond that a 429 with
/// <c>Retry-After</c>, so that many clients asking for the whole cluster cannot starve pushes,
/// health checks and the light reads. A permit is held until the answer is written (lists
/// stream), through ASP.NET Core's rate-limiting middleware and a concurrency limiter.
/// </summary>
internal static class HeavyReads
{
    public const string Policy = "heavy-reads";

    /// <summary>Seconds a refused client should wait: heavy reads take milliseconds to a few seconds.</summary>
    private const int RetryAfterSeconds = 1;

    public static IServiceCollection AddHeavyReadLimit(this IServiceCollection services) =>
        services.AddRateLimiter(options => options.AddPolicy<string, HeavyReadPolicy>(Policy));

    /// <summary>Always heavy (a list or a rollup).</summary>
    public static TBuilder HeavyRead<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(Policy).WithMetadata(new HeavyReadMarker(Always: true));

    /// <summary>Heavy only with <c>?window=</c> (one entity's series); its latest view is light.</summary>
    public static TBuilder HeavyReadWithWindow<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(Policy).WithMetadata(new HeavyReadMarker(Always: false));

    private sealed record HeavyReadMarker(bool Always);

    private sealed class HeavyReadPolicy(IOptions<FacadeOptions> options, FacadeMetrics metrics, ILogger<HeavyReadPolicy> logger) : IRateLimiterPolicy<string>
    {
        private readonly int _permits = options.Value.MaxConcurrentReads;

        public RateLimitPartition<string> GetPartition(HttpContext httpContext)
        {
            var marker = httpContext.GetEndpoint()?.Metadata.GetMetadata<HeavyReadMarker>();
            var heavy = marker is { Always: true } || (marker is not null && httpContext.Request.Query.ContainsKey("window"));
            return heavy
                ? RateLimitPartition.GetConcurrencyLimiter("heavy", _ => new ConcurrencyLimiterOptions { PermitLimit = _permits, QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter("light");
        }

        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => async (context, cancellationToken) =>
        {
            var http = context.HttpContext;
            metrics.ReadsRejected.Inc();
            logger.LogDebug("{Path} from {Remote}: {Permits} heavy reads already running, 429", http.Request.Path, http.Connection.RemoteIpAddress, _permits);
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await TypedResults.Problem(
                $"{_permits} heavy reads (lists, rollups, windows) are running, the most this facade serves at once (Facade:MaxConcurrentReads). Retry after {RetryAfterSeconds} s.",
                statusCode: StatusCodes.Status429TooManyRequests, title: "Too many concurrent reads").ExecuteAsync(http);
        };
    }
}

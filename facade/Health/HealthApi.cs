using KubeMonitor.Facade.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KubeMonitor.Facade.Health;

/// <summary>
/// <c>/livez</c> (and <c>/healthz</c>, as the report's users expect): alive while the store's
/// sweep keeps ticking. <c>/readyz</c>: the host has started and is not stopping.
/// </summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/livez", Live).WithTags("Health").ExcludeFromDescription();
        routes.MapGet("/healthz", Live).WithTags("Health").ExcludeFromDescription();
        routes.MapGet("/readyz", Ready).WithTags("Health").ExcludeFromDescription();
        return routes;
    }

    public static Results<ContentHttpResult, ProblemHttpResult> Live(StoreSweeper sweeper, TimeProvider clock)
    {
        // Three missed ticks in a row means the timer (or the store) is stuck.
        var late = clock.GetUtcNow() - sweeper.LastTick;
        return late <= 3 * sweeper.Interval
            ? TypedResults.Text("ok\n")
            : TypedResults.Problem($"The store sweep last ran {late.TotalSeconds:0} s ago.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not alive");
    }

    public static Results<ContentHttpResult, ProblemHttpResult> Ready(IHostApplicationLifetime lifetime) =>
        lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested
            ? TypedResults.Text("ok\n")
            : TypedResults.Problem("The facade is starting or stopping.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready");
}

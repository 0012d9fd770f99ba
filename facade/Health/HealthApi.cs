using KubeMonitor.Facade.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KubeMonitor.Facade.Health;

/// <summary>
/// <c>/livez</c> (and <c>/healthz</c>, as the report's users expect): alive while the embedded
/// store's sweep keeps ticking (always, with another source). <c>/readyz</c>: the host has started,
/// is not stopping, and its query source can answer.
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

    public static Results<ContentHttpResult, ProblemHttpResult> Live(IServiceProvider services, TimeProvider clock)
    {
        if (services.GetService<StoreSweeper>() is not { } sweeper) return TypedResults.Text("ok\n");
        // Three missed ticks in a row means the timer (or the store) is stuck.
        var late = clock.GetUtcNow() - sweeper.LastTick;
        return late <= 3 * sweeper.Interval
            ? TypedResults.Text("ok\n")
            : TypedResults.Problem($"The store sweep last ran {late.TotalSeconds:0} s ago.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not alive");
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> Ready(
        IHostApplicationLifetime lifetime, ISampleSource source, CancellationToken cancellationToken)
    {
        if (!lifetime.ApplicationStarted.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return NotReady("The facade is starting or stopping.");
        }
        return await source.NotReadyAsync(cancellationToken) is { } reason ? NotReady(reason) : TypedResults.Text("ok\n");
    }

    private static ProblemHttpResult NotReady(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready");
}

using KubeMonitor.Exporter.Collection;

namespace KubeMonitor.Exporter;

public static class HealthEndpoints
{
    /// <summary>
    /// /livez (and the older /healthz): the collection loop still ticks. /readyz: a collection
    /// has finished, so /metrics has numbers to show.
    /// </summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var loop = endpoints.ServiceProvider.GetRequiredService<CollectionLoop>();
        var runner = endpoints.ServiceProvider.GetRequiredService<CollectionRunner>();
        endpoints.MapGet("/livez", () => loop.IsTicking
            ? Results.Text("ok")
            : Results.Text("the collection loop has not ticked for three intervals", statusCode: StatusCodes.Status503ServiceUnavailable));
        endpoints.MapGet("/healthz", () => loop.IsTicking ? Results.Text("ok") : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        endpoints.MapGet("/readyz", () => runner.Last is null
            ? Results.Text("no collection yet", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("ok"));
        return endpoints;
    }
}

using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Queries;
using KubeMonitor.Facade.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Nodes;

/// <summary><c>GET /api/nodes</c> and <c>GET /api/nodes/{node}</c> (docs/api.md section 3).</summary>
internal static class NodesApi
{
    public static RouteGroupBuilder MapNodes(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/nodes").WithTags("Nodes");
        group.MapGet("/", GetNodes).HeavyRead().WithSummary("Latest view of every live node.");
        group.MapGet("/{node}", GetNode).HeavyReadWithWindow().WithSummary("One node's latest view, or with ?window= its series.");
        return group;
    }

    public static Ok<ItemList<NodeView>> GetNodes(IMetricsStore store, TimeProvider clock) =>
        TypedResults.Ok(new ItemList<NodeView>(store.Nodes(clock.GetUtcNow().ToUnixTimeMilliseconds())));

    public static Results<Ok<NodeView>, Ok<NodeSeries>, ProblemHttpResult> GetNode(
        string node, string? window, string? step, IMetricsStore store, TimeProvider clock, IOptions<FacadeOptions> options)
    {
        if (!KubernetesNames.IsSubdomain(node)) return Problems.BadRequest($"Node name '{node}' is not a DNS-1123 subdomain.");
        var (query, problem) = WindowQuery.Parse(window, step, options.Value);
        if (problem is not null) return problem;
        var nowMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var notFound = Problems.NotFound($"No live node '{node}'.");
        if (query is null) return store.Node(node, nowMs) is { } view ? TypedResults.Ok(view) : notFound;

        if (store.NodePoints(node, query.FromMs(nowMs), nowMs) is not { } points) return notFound;
        return TypedResults.Ok(new NodeSeries(node, query.WindowSeconds, query.StepSeconds, points, Summaries.Of(points)));
    }
}

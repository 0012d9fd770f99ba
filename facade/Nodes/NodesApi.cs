using KubeMonitor.Facade.Api;
using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Queries;
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

    public static async Task<Ok<ItemList<NodeView>>> GetNodes(IMetricsQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ItemList<NodeView>((await queries.NodesAsync(cancellationToken)).Select(ViewMapping.Node).ToList()));

    public static async Task<Results<Ok<NodeView>, Ok<NodeSeries>, ProblemHttpResult>> GetNode(
        string node, string? window, string? step, IMetricsQueries queries, IOptions<FacadeOptions> options, CancellationToken cancellationToken)
    {
        if (!KubernetesNames.IsSubdomain(node)) return Problems.BadRequest($"Node name '{node}' is not a DNS-1123 subdomain.");
        var (query, problem) = WindowQuery.Parse(window, step, queries.MaxWindow, options.Value);
        if (problem is not null) return problem;
        var notFound = Problems.NotFound($"No live node '{node}'.");
        if (query is null) return await queries.NodeAsync(node, cancellationToken) is { } latest ? TypedResults.Ok(ViewMapping.Node(latest)) : notFound;

        return await queries.NodeSeriesAsync(node, query, cancellationToken) is { } series ? TypedResults.Ok(ViewMapping.NodeSeries(node, series)) : notFound;
    }
}

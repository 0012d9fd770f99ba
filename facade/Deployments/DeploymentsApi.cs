using KubeMonitor.Facade.Api;
using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Queries;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Deployments;

/// <summary>
/// <c>GET /api/namespaces/{namespace}/deployments[/{deployment}]</c>: sums over the live pods a
/// deployment owns (resolved per docs/api.md section 5), and with ?window= their aligned series.
/// </summary>
internal static class DeploymentsApi
{
    public static RouteGroupBuilder MapDeployments(this IEndpointRouteBuilder routes)
    {
        // Every answer here is a rollup.
        var group = routes.MapGroup("/api/namespaces/{namespace}/deployments").WithTags("Deployments").HeavyRead();
        group.MapGet("/", GetDeployments).WithSummary("The namespace's deployments with live pods, with sums over them.");
        group.MapGet("/{deployment}", GetDeployment).WithSummary("One deployment's sums, or with ?window= their series.");
        return group;
    }

    public static async Task<Results<Ok<ItemList<DeploymentView>>, ProblemHttpResult>> GetDeployments(
        string @namespace, IMetricsQueries queries, CancellationToken cancellationToken)
    {
        if (!KubernetesNames.IsLabel(@namespace)) return Problems.BadRequest($"Namespace '{@namespace}' is not a DNS-1123 label.");
        if (await queries.DeploymentsAsync(@namespace, cancellationToken) is not { } groups) return Problems.NotFound($"No live pods in namespace '{@namespace}'.");
        return TypedResults.Ok(new ItemList<DeploymentView>(groups.Select(g => ViewMapping.Deployment(@namespace, g)).ToList()));
    }

    public static async Task<Results<Ok<DeploymentView>, Ok<DeploymentSeries>, ProblemHttpResult>> GetDeployment(
        string @namespace, string deployment, string? window, string? step,
        IMetricsQueries queries, IOptions<FacadeOptions> options, CancellationToken cancellationToken)
    {
        if (!KubernetesNames.IsLabel(@namespace)) return Problems.BadRequest($"Namespace '{@namespace}' is not a DNS-1123 label.");
        if (!KubernetesNames.IsSubdomain(deployment)) return Problems.BadRequest($"Deployment name '{deployment}' is not a DNS-1123 subdomain.");
        var (query, problem) = WindowQuery.Parse(window, step, queries.MaxWindow, options.Value);
        if (problem is not null) return problem;
        var notFound = Problems.NotFound($"No live pods of deployment '{deployment}' in namespace '{@namespace}'.");
        if (query is null)
        {
            return await queries.DeploymentAsync(@namespace, deployment, cancellationToken) is { } group
                ? TypedResults.Ok(ViewMapping.Deployment(@namespace, group))
                : notFound;
        }
        return await queries.DeploymentSeriesAsync(@namespace, deployment, query, cancellationToken) is { } series
            ? TypedResults.Ok(ViewMapping.DeploymentSeries(deployment, @namespace, series))
            : notFound;
    }
}

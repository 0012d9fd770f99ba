using KubeMonitor.Facade.Api;
using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Queries;
using KubeMonitor.Facade.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Namespaces;

/// <summary>
/// <c>GET /api/namespaces</c>, <c>/{namespace}</c> and <c>/{namespace}/pods</c>: sums over a
/// namespace's live pods, and with ?window= its pods aligned on steps (docs/api.md section 3).
/// </summary>
internal static class NamespacesApi
{
    public static RouteGroupBuilder MapNamespaces(this IEndpointRouteBuilder routes)
    {
        // Every answer here is a rollup or a list.
        var group = routes.MapGroup("/api/namespaces").WithTags("Namespaces").HeavyRead();
        group.MapGet("/", GetNamespaces).WithSummary("Every namespace with live pods, with sums over them.");
        group.MapGet("/{namespace}", GetNamespace).WithSummary("One namespace's sums, or with ?window= their series.");
        group.MapGet("/{namespace}/pods", GetNamespacePods).WithSummary("The namespace's live pods.");
        return group;
    }

    public static async Task<Ok<ItemList<NamespaceView>>> GetNamespaces(IMetricsQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ItemList<NamespaceView>((await queries.NamespacesAsync(cancellationToken)).Select(ViewMapping.Namespace).ToList()));

    public static async Task<Results<Ok<NamespaceView>, Ok<NamespaceSeries>, ProblemHttpResult>> GetNamespace(
        string @namespace, string? window, string? step, IMetricsQueries queries, IOptions<FacadeOptions> options, CancellationToken cancellationToken)
    {
        if (!KubernetesNames.IsLabel(@namespace)) return Problems.BadRequest($"Namespace '{@namespace}' is not a DNS-1123 label.");
        var (query, problem) = WindowQuery.Parse(window, step, queries.MaxWindow, options.Value);
        if (problem is not null) return problem;
        var notFound = Problems.NotFound($"No live pods in namespace '{@namespace}'.");
        if (query is null)
        {
            return await queries.NamespaceAsync(@namespace, cancellationToken) is { } group ? TypedResults.Ok(ViewMapping.Namespace(group)) : notFound;
        }
        return await queries.NamespaceSeriesAsync(@namespace, query, cancellationToken) is { } series
            ? TypedResults.Ok(ViewMapping.NamespaceSeries(@namespace, series))
            : notFound;
    }

    public static async Task<Results<StreamedList<PodView>, ProblemHttpResult>> GetNamespacePods(
        string @namespace, IMetricsQueries queries, CancellationToken cancellationToken)
    {
        if (!KubernetesNames.IsLabel(@namespace)) return Problems.BadRequest($"Namespace '{@namespace}' is not a DNS-1123 label.");
        // The existence check reads one pod; the answer is written while it is read.
        var pods = await queries.PodsAsync(new PodSelector(Namespace: @namespace), cancellationToken);
        return !pods.Any() ? Problems.NotFound($"No live pods in namespace '{@namespace}'.") : new StreamedList<PodView>(pods.Select(ViewMapping.Pod));
    }
}

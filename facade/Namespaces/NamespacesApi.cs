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

    public static Ok<ItemList<NamespaceView>> GetNamespaces(IMetricsStore store, TimeProvider clock)
    {
        var pods = store.Pods(new PodQuery(), clock.GetUtcNow().ToUnixTimeMilliseconds());
        var views = pods.GroupBy(p => p.Namespace, StringComparer.Ordinal).Select(g => View(g.Key, g.ToList())).ToList();
        return TypedResults.Ok(new ItemList<NamespaceView>(views));
    }

    public static Results<Ok<NamespaceView>, Ok<NamespaceSeries>, ProblemHttpResult> GetNamespace(
        string @namespace, string? window, string? step, IMetricsStore store, TimeProvider clock, IOptions<FacadeOptions> options)
    {
        if (!KubernetesNames.IsLabel(@namespace)) return Problems.BadRequest($"Namespace '{@namespace}' is not a DNS-1123 label.");
        var (query, problem) = WindowQuery.Parse(window, step, options.Value);
        if (problem is not null) return problem;
        var nowMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var notFound = Problems.NotFound($"No live pods in namespace '{@namespace}'.");
        if (query is null)
        {
            var pods = store.Pods(new PodQuery(Namespace: @namespace), nowMs).ToList();
            return pods.Count == 0 ? notFound : TypedResults.Ok(View(@namespace, pods));
        }

        if (store.StepSums(new PodQuery(Namespace: @namespace), query.FromMs(nowMs), nowMs, query.StepSeconds) is not { } points) return notFound;
        return TypedResults.Ok(new NamespaceSeries(@namespace, query.WindowSeconds, query.StepSeconds, points, Summaries.Of(points)));
    }

    public static Results<StreamedList<PodView>, ProblemHttpResult> GetNamespacePods(string @namespace, IMetricsStore store, TimeProvider clock)
    {
        if (!KubernetesNames.IsLabel(@namespace)) return Problems.BadRequest($"Namespace '{@namespace}' is not a DNS-1123 label.");
        // The existence check reads one pod; the answer is written while it is read.
        var pods = store.Pods(new PodQuery(Namespace: @namespace), clock.GetUtcNow().ToUnixTimeMilliseconds());
        return !pods.Any() ? Problems.NotFound($"No live pods in namespace '{@namespace}'.") : new StreamedList<PodView>(pods);
    }

    private static NamespaceView View(string name, List<PodView> pods)
    {
        var sum = Rollups.Sum(pods.Select(p => (p.Cpu, p.Memory, p.Disk, p.Network)));
        return new NamespaceView(name, pods.Count, pods.Select(p => p.Name).ToList(), sum.Cpu, sum.Memory, sum.Disk, sum.Network);
    }
}

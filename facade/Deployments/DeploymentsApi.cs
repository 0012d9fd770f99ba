using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Queries;
using KubeMonitor.Facade.Storage;
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

    public static Results<Ok<ItemList<DeploymentView>>, ProblemHttpResult> GetDeployments(string @namespace, IMetricsStore store, TimeProvider clock)
    {
        if (!KubernetesNames.IsLabel(@namespace)) return Problems.BadRequest($"Namespace '{@namespace}' is not a DNS-1123 label.");
        var pods = store.Pods(new PodQuery(Namespace: @namespace), clock.GetUtcNow().ToUnixTimeMilliseconds()).ToList();
        if (pods.Count == 0) return Problems.NotFound($"No live pods in namespace '{@namespace}'.");
        var views = pods.Where(p => p.Deployment is not null)
            .GroupBy(p => p.Deployment!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => View(g.Key, @namespace, g.ToList()))
            .ToList();
        return TypedResults.Ok(new ItemList<DeploymentView>(views));
    }

    public static Results<Ok<DeploymentView>, Ok<DeploymentSeries>, ProblemHttpResult> GetDeployment(
        string @namespace, string deployment, string? window, string? step,
        IMetricsStore store, TimeProvider clock, IOptions<FacadeOptions> options)
    {
        if (!KubernetesNames.IsLabel(@namespace)) return Problems.BadRequest($"Namespace '{@namespace}' is not a DNS-1123 label.");
        if (!KubernetesNames.IsSubdomain(deployment)) return Problems.BadRequest($"Deployment name '{deployment}' is not a DNS-1123 subdomain.");
        var (query, problem) = WindowQuery.Parse(window, step, options.Value);
        if (problem is not null) return problem;
        var nowMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var podQuery = new PodQuery(Namespace: @namespace, Deployment: deployment);
        var notFound = Problems.NotFound($"No live pods of deployment '{deployment}' in namespace '{@namespace}'.");
        if (query is null)
        {
            var pods = store.Pods(podQuery, nowMs).ToList();
            return pods.Count == 0 ? notFound : TypedResults.Ok(View(deployment, @namespace, pods));
        }

        if (store.StepSums(podQuery, query.FromMs(nowMs), nowMs, query.StepSeconds) is not { } points) return notFound;
        return TypedResults.Ok(new DeploymentSeries(deployment, @namespace, query.WindowSeconds, query.StepSeconds, points, Summaries.Of(points)));
    }

    private static DeploymentView View(string name, string @namespace, List<PodView> pods)
    {
        var sum = Rollups.Sum(pods.Select(p => (p.Cpu, p.Memory, p.Disk, p.Network)));
        return new DeploymentView(name, @namespace, pods.Count, pods.Select(p => p.Name).ToList(), sum.Cpu, sum.Memory, sum.Disk, sum.Network);
    }
}

using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Queries;
using KubeMonitor.Facade.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Pods;

/// <summary><c>GET /api/pods</c> and <c>GET /api/pods/{pod}</c> (docs/api.md section 3).</summary>
internal static class PodsApi
{
    public static RouteGroupBuilder MapPods(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/pods").WithTags("Pods");
        group.MapGet("/", GetPods).HeavyRead().WithSummary("Latest view of every live pod; filters ?namespace= and ?node=; pages with ?limit= and ?continue=.");
        group.MapGet("/{pod}", GetPod).HeavyReadWithWindow().WithSummary("One pod's latest view, or with ?window= its series; ?namespace= picks among namesakes.");
        return group;
    }

    public static Results<StreamedList<PodView>, Ok<ItemPage<PodView>>, ProblemHttpResult> GetPods(
        [FromQuery(Name = "namespace")] string? ns, string? node, string? limit, [FromQuery(Name = "continue")] string? continueToken,
        IMetricsStore store, TimeProvider clock)
    {
        if (ns is not null && !KubernetesNames.IsLabel(ns)) return Problems.BadRequest($"Namespace '{ns}' is not a DNS-1123 label.");
        if (node is not null && !KubernetesNames.IsSubdomain(node)) return Problems.BadRequest($"Node name '{node}' is not a DNS-1123 subdomain.");
        var (page, problem) = PageQuery.Parse(limit, continueToken);
        if (problem is not null) return problem;
        var query = new PodQuery(Namespace: ns, Node: node);
        var nowMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (page is null) return new StreamedList<PodView>(store.Pods(query, nowMs));

        var found = store.PodsPage(query, nowMs, page.After, page.Limit);
        return TypedResults.Ok(new ItemPage<PodView>(found.Items, found.More ? PageQuery.Token(found.Items[^1]) : null));
    }

    public static Results<Ok<PodView>, Ok<PodSeries>, ProblemHttpResult> GetPod(
        string pod, [FromQuery(Name = "namespace")] string? ns, string? window, string? step,
        IMetricsStore store, TimeProvider clock, IOptions<FacadeOptions> options)
    {
        if (!KubernetesNames.IsSubdomain(pod)) return Problems.BadRequest($"Pod name '{pod}' is not a DNS-1123 subdomain.");
        if (ns is not null && !KubernetesNames.IsLabel(ns)) return Problems.BadRequest($"Namespace '{ns}' is not a DNS-1123 label.");
        var (query, problem) = WindowQuery.Parse(window, step, options.Value);
        if (problem is not null) return problem;

        var nowMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var found = store.Pods(new PodQuery(Namespace: ns, Name: pod), nowMs).ToList();
        var notFound = Problems.NotFound(ns is null ? $"No live pod '{pod}'." : $"No live pod '{pod}' in namespace '{ns}'.");
        if (found.Count == 0) return notFound;
        if (found.Count > 1) return Problems.AmbiguousPod(pod, found.Select(p => p.Namespace).ToList());
        if (query is null) return TypedResults.Ok(found[0]);

        var histories = store.PodHistories(new PodQuery(Namespace: found[0].Namespace, Name: pod), query.FromMs(nowMs), nowMs);
        if (histories.Count == 0) return notFound;
        var (latest, points) = (histories[0].Latest, histories[0].Points);
        return TypedResults.Ok(new PodSeries(
            latest.Name, latest.Namespace, latest.Node, latest.Uid, latest.Deployment,
            query.WindowSeconds, query.StepSeconds, points, Summaries.Of(points)));
    }
}

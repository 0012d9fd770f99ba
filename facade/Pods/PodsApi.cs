using System.ComponentModel;
using KubeMonitor.Facade.Api;
using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Queries;
using KubeMonitor.Facade.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Pods;

/// <summary><c>GET /api/pods</c> and <c>GET /api/pods/{pod}</c> (docs/api.md sections 3 and 6).</summary>
internal static class PodsApi
{
    public static RouteGroupBuilder MapPods(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/pods").WithTags("Pods");
        group.MapGet("/", GetPods).HeavyRead().WithSummary("Latest view of every live pod; filters ?namespace=, ?deployment= (with ?namespace=), ?node= and ?labelSelector=; pages with ?limit= and ?continue=, sorted by any PodView field with ?sort= (-field for descending).");
        group.MapGet("/{pod}", GetPod).HeavyReadWithWindow().WithSummary("One pod's latest view, or with ?window= its series; ?namespace= picks among namesakes.");
        return group;
    }

    public static async Task<Results<StreamedList<PodView>, Ok<ItemPage<PodView>>, ProblemHttpResult>> GetPods(
        [FromQuery(Name = "namespace")] string? ns,
        [Description("Only the pods of this deployment of the namespace (docs/api.md section 5).")] string? deployment,
        string? node, string? labelSelector,
        string? limit, [FromQuery(Name = "continue")] string? continueToken,
        [Description("With limit: a PodView field (name, namespace, node, deployment, cpu.usageCores, memory.workingSetBytes...), '-' first for descending; nulls last, ties by namespace and name.")] string? sort,
        IMetricsQueries queries, CancellationToken cancellationToken)
    {
        if (ns is not null && !KubernetesNames.IsLabel(ns)) return Problems.BadRequest($"Namespace '{ns}' is not a DNS-1123 label.");
        if (deployment is not null && !KubernetesNames.IsSubdomain(deployment)) return Problems.BadRequest($"Deployment name '{deployment}' is not a DNS-1123 subdomain.");
        // A deployment's name is its namespace's (docs/api.md section 5).
        if (deployment is not null && ns is null) return Problems.BadRequest("deployment needs the namespace it is in.");
        if (node is not null && !KubernetesNames.IsSubdomain(node)) return Problems.BadRequest($"Node name '{node}' is not a DNS-1123 subdomain.");
        LabelSelector? labels = null;
        try
        {
            if (labelSelector is not null) labels = LabelSelectorParser.Parse(labelSelector);
        }
        catch (FormatException e)
        {
            return Problems.BadRequest($"labelSelector is not a Kubernetes label selector: {e.Message}.");
        }
        var (page, problem) = PageQuery.Parse(limit, continueToken, sort);
        if (problem is not null) return problem;
        var selector = new PodSelector(Namespace: ns, Node: node, Labels: labels);
        if (page is null)
        {
            var pods = (await queries.PodsAsync(selector, cancellationToken)).Where(p => deployment is null || p.Deployment == deployment);
            return new StreamedList<PodView>(pods.Select(ViewMapping.Pod));
        }

        var found = await queries.PodsPageAsync(selector, deployment, page.Order, page.After, page.Limit, cancellationToken);
        var views = found.Items.Select(ViewMapping.Pod).ToList();
        return TypedResults.Ok(new ItemPage<PodView>(views, found.More ? PageQuery.Token(page.Order, found.Items[^1]) : null));
    }

    public static async Task<Results<Ok<PodView>, Ok<PodSeries>, ProblemHttpResult>> GetPod(
        string pod, [FromQuery(Name = "namespace")] string? ns, string? window, string? step,
        IMetricsQueries queries, IOptions<FacadeOptions> options, CancellationToken cancellationToken)
    {
        if (!KubernetesNames.IsSubdomain(pod)) return Problems.BadRequest($"Pod name '{pod}' is not a DNS-1123 subdomain.");
        if (ns is not null && !KubernetesNames.IsLabel(ns)) return Problems.BadRequest($"Namespace '{ns}' is not a DNS-1123 label.");
        var (query, problem) = WindowQuery.Parse(window, step, queries.MaxWindow, options.Value);
        if (problem is not null) return problem;

        var found = (await queries.PodsAsync(new PodSelector(Namespace: ns, Name: pod), cancellationToken)).ToList();
        var notFound = Problems.NotFound(ns is null ? $"No live pod '{pod}'." : $"No live pod '{pod}' in namespace '{ns}'.");
        if (found.Count == 0) return notFound;
        if (found.Count > 1) return Problems.AmbiguousPod(pod, found.Select(p => p.Pod.Namespace).ToList());
        if (query is null) return TypedResults.Ok(ViewMapping.Pod(found[0]));

        return await queries.PodSeriesAsync(found[0].Pod.Key, query, cancellationToken) is { } series
            ? TypedResults.Ok(ViewMapping.PodSeries(series))
            : notFound;
    }
}

using KubeMonitor.Facade.Api;
using KubeMonitor.Facade.Queries;
using KubeMonitor.Facade.Storage;
using Microsoft.AspNetCore.Mvc;

namespace KubeMonitor.Facade.MetricsApi;

/// <summary>
/// <c>metrics.k8s.io/v1beta1</c> (docs/api.md section 7): discovery, NodeMetrics and PodMetrics
/// from the read port. Items with one sample only, or without every container's values, are left
/// out, as metrics-server leaves them out; lists come in name (nodes) or namespace-then-name (pods) order.
/// </summary>
internal static class MetricsApiEndpoints
{
    public static void MapMetricsApiEndpoints(this IEndpointRouteBuilder routes)
    {
        var apis = routes.MapGroup("/apis");
        apis.AddEndpointFilter<AccessFilter>();
        apis.MapGet("/", () => Answer.Json(new ApiGroupList([MetricsResources.ApiGroup])));
        apis.MapGet("/" + MetricsResources.Group, () => Answer.Json(MetricsResources.ApiGroup));

        var version = apis.MapGroup("/" + MetricsResources.GroupVersion);
        version.MapGet("/", () => Answer.Json(MetricsResources.Resources));
        version.MapGet("/nodes", ListNodes).WithMetadata(new AccessRule("list", "nodes"));
        version.MapGet("/nodes/{name}", GetNode).WithMetadata(new AccessRule("get", "nodes"));
        version.MapGet("/pods", ListAllPods).WithMetadata(new AccessRule("list", "pods"));
        version.MapGet("/namespaces/{namespace}/pods", ListPods).WithMetadata(new AccessRule("list", "pods"));
        version.MapGet("/namespaces/{namespace}/pods/{name}", GetPod).WithMetadata(new AccessRule("get", "pods"));
    }

    private static async Task<IResult> ListNodes(string? labelSelector, string? fieldSelector, IMetricsQueries queries, MetricsApiOptions options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (selectors, problem) = Selectors.Parse(labelSelector, fieldSelector);
        if (selectors is null) return problem!;
        var nodes = await queries.NodeUsagesAsync(selectors.Fields.RequiredName, options.RateSpan, cancellationToken);
        var now = clock.GetUtcNow();
        var items = nodes
            .Where(n => n.Usage.IsComplete && selectors.Fields.Matches(n.Name) && (selectors.Labels?.Matches(n.Labels) ?? true))
            .Select(n => Node(n, now));
        return Answer.Json(new MetricsList<NodeMetrics>("NodeMetricsList", items));
    }

    private static async Task<IResult> GetNode(string name, IMetricsQueries queries, MetricsApiOptions options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var node = (await queries.NodeUsagesAsync(name, options.RateSpan, cancellationToken)).FirstOrDefault(n => n.Usage.IsComplete);
        return node is null ? Answer.Status(KubeStatus.NotFound("nodemetrics", name)) : Answer.Json(Node(node, clock.GetUtcNow()));
    }

    private static Task<IResult> ListAllPods(
        string? labelSelector, string? fieldSelector, IMetricsQueries queries, MetricsApiOptions options, TimeProvider clock, CancellationToken cancellationToken) =>
        ListPods(null, labelSelector, fieldSelector, queries, options, clock, cancellationToken);

    private static async Task<IResult> ListPods(
        [FromRoute(Name = "namespace")] string? ns, string? labelSelector, string? fieldSelector,
        IMetricsQueries queries, MetricsApiOptions options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (selectors, problem) = Selectors.Parse(labelSelector, fieldSelector);
        if (selectors is null) return problem!;
        var selector = new PodSelector(Namespace: ns ?? selectors.Fields.RequiredNamespace, Name: selectors.Fields.RequiredName, Labels: selectors.Labels);
        var pods = await queries.PodUsagesAsync(selector, options.RateSpan, cancellationToken);
        var now = clock.GetUtcNow();
        // Lazy: 150,000 pods are written as they are read.
        var items = pods
            .Where(p => IsComplete(p) && selectors.Fields.Matches(p.Pod.Name, p.Pod.Namespace) && (ns is null || p.Pod.Namespace == ns))
            .Select(p => Pod(p, now));
        return Answer.Json(new MetricsList<PodMetrics>("PodMetricsList", items));
    }

    private static async Task<IResult> GetPod(
        [FromRoute(Name = "namespace")] string ns, string name, IMetricsQueries queries, MetricsApiOptions options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var pods = await queries.PodUsagesAsync(new PodSelector(Namespace: ns, Name: name), options.RateSpan, cancellationToken);
        var pod = pods.FirstOrDefault(p => IsComplete(p) && p.Pod.Namespace == ns && p.Pod.Name == name);
        return pod is null ? Answer.Status(KubeStatus.NotFound("podmetrics", $"{ns}/{name}")) : Answer.Json(Pod(pod, clock.GetUtcNow()));
    }

    /// <summary>A pod is shown only when it and every container in its newest sample have both values over an interval.</summary>
    private static bool IsComplete(PodUsage pod) => pod.Usage.IsComplete && pod.Containers.Count > 0 && pod.Containers.All(c => c.Usage.IsComplete);

    private static NodeMetrics Node(NodeUsage node, DateTimeOffset now) =>
        new(new ObjectMeta(node.Name, null, node.Labels, KubeTime.Of(now)), KubeTime.Of(node.Usage.ToMs), Window(node.Usage), UsageOf(node.Usage));

    private static PodMetrics Pod(PodUsage pod, DateTimeOffset now) => new(
        new ObjectMeta(pod.Pod.Name, pod.Pod.Namespace, pod.Pod.Labels, KubeTime.Of(now)), KubeTime.Of(pod.Usage.ToMs), Window(pod.Usage),
        [.. pod.Containers.Select(c => new ContainerMetrics(c.Name, UsageOf(c.Usage)))]);

    private static ResourceUsage UsageOf(Usage usage) => new(Quantities.Cpu(usage.Cores), Quantities.Bytes(usage.MemoryBytes));

    private static string Window(Usage usage) => GoDuration.Format(TimeSpan.FromMilliseconds(usage.ToMs - usage.FromMs));

    /// <summary>Both selectors of a list.</summary>
    private sealed record Selectors(LabelSelector? Labels, FieldSelector Fields)
    {
        /// <summary>The selectors, or a 400 Status saying what is wrong with one.</summary>
        public static (Selectors? Selectors, IResult? Problem) Parse(string? labelSelector, string? fieldSelector)
        {
            try
            {
                var labels = string.IsNullOrWhiteSpace(labelSelector) ? null : LabelSelectorParser.Parse(labelSelector);
                return (new Selectors(labels, FieldSelector.Parse(fieldSelector)), null);
            }
            catch (FormatException e)
            {
                return (null, Answer.Status(KubeStatus.BadRequest(e.Message)));
            }
        }
    }
}

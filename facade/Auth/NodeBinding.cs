using KubeMonitor.Facade.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KubeMonitor.Facade.Auth;

/// <summary>
/// Holds a node-bound credential (docs/api.md section 2) to its node. The push filter checks the
/// node in the path before the body is read; <see cref="Check"/> checks the nodes a parsed push
/// names in its body, which only a seed pod push (<c>POST /api/pods/{pod}</c>) can do.
/// </summary>
internal static class NodeBinding
{
    /// <summary>
    /// A 403 problem when <paramref name="batch"/> names a node other than the credential's, else
    /// null. A pod sample that names no node is given the credential's node rather than refused:
    /// the contract lets a pod sample omit its node, a pod-bound exporter can only report pods of its
    /// own node, and storing none would erase the node the pod had (the store keeps the newest).
    /// </summary>
    public static ProblemHttpResult? Check(HttpContext http, ref IngestBatch batch)
    {
        var bound = http.GetPushIdentity()?.BoundNode;
        if (bound is null) return null;
        if (batch.Node is { } node && !string.Equals(node.Name, bound, StringComparison.Ordinal))
        {
            return Forbidden(bound, node.Name, "the node sample");
        }

        List<PodEntry>? withNode = null;
        for (var i = 0; i < batch.Pods.Count; i++)
        {
            var pod = batch.Pods[i];
            if (pod.Node is null)
            {
                withNode ??= [.. batch.Pods];
                withNode[i] = pod with { Node = bound };
            }
            else if (!string.Equals(pod.Node, bound, StringComparison.Ordinal))
            {
                return Forbidden(bound, pod.Node, $"pod '{pod.Namespace}/{pod.Name}'");
            }
        }
        if (withNode is not null) batch = batch with { Pods = withNode };
        return null;
    }

    public static ProblemHttpResult Forbidden(string bound, string other, string where) =>
        TypedResults.Problem(
            $"The credential is bound to node '{bound}' and may not push for node '{other}' ({where}). Nothing was stored.",
            statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
}

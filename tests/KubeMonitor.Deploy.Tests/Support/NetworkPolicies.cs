extern alias KubeFull;
using System.Globalization;
using KubeFull::k8s.Models;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>Where ingress traffic comes from: a pod (its namespace and labels) or anything off the pod network.</summary>
internal abstract record TrafficSource
{
    /// <summary>A pod; its namespace carries the label the API server sets on every namespace.</summary>
    public sealed record Pod(string Namespace, IDictionary<string, string> Labels) : TrafficSource;

    /// <summary>A node, a load balancer, a client outside the cluster: only an all-addresses ipBlock or no <c>from</c> admits it.</summary>
    public sealed record Outside : TrafficSource;
}

/// <summary>
/// NetworkPolicy ingress evaluated as Kubernetes defines it: a pod selected by no Ingress policy
/// takes everything; a selected pod takes a connection when some rule of some selecting policy
/// matches both its port (number, name or range, protocol TCP by default) and its source.
/// </summary>
internal static class NetworkPolicies
{
    private const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    /// <summary>The Ingress policies that select a pod with these labels in this namespace.</summary>
    public static List<V1NetworkPolicy> Selecting(IEnumerable<V1NetworkPolicy> policies, string @namespace, IDictionary<string, string> podLabels) =>
        [.. policies.Where(p => p.Metadata.NamespaceProperty == @namespace
            && Matches(p.Spec.PodSelector, podLabels)
            && (p.Spec.PolicyTypes is null || p.Spec.PolicyTypes.Contains("Ingress")))];

    public static bool Admits(IEnumerable<V1NetworkPolicy> policies, string @namespace, IDictionary<string, string> podLabels, V1ContainerPort port, TrafficSource source)
    {
        var selecting = Selecting(policies, @namespace, podLabels);
        return selecting.Count == 0
            || selecting.Any(p => (p.Spec.Ingress ?? []).Any(rule => PortMatches(rule.Ports, port) && SourceMatches(rule.FromProperty, @namespace, source)));
    }

    /// <summary>The ingress rules that open this port (to some source).</summary>
    public static IEnumerable<V1NetworkPolicyIngressRule> RulesFor(IEnumerable<V1NetworkPolicy> selecting, V1ContainerPort port) =>
        selecting.SelectMany(p => p.Spec.Ingress ?? []).Where(rule => PortMatches(rule.Ports, port));

    private static bool PortMatches(IList<V1NetworkPolicyPort>? ports, V1ContainerPort port) =>
        ports is null || ports.Count == 0 || ports.Any(p =>
            (p.Protocol ?? "TCP") == (port.Protocol ?? "TCP")
            && (p.Port is null
                || p.Port.Value == port.Name
                || (int.TryParse(p.Port.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                    && first <= port.ContainerPort && port.ContainerPort <= (p.EndPort ?? first))));

    private static bool SourceMatches(IList<V1NetworkPolicyPeer>? from, string policyNamespace, TrafficSource source) =>
        from is null || from.Count == 0 || from.Any(peer => PeerMatches(peer, policyNamespace, source));

    private static bool PeerMatches(V1NetworkPolicyPeer peer, string policyNamespace, TrafficSource source)
    {
        if (peer.IpBlock is not null)
        {
            // Only "every address" is known to hold a source of unknown address.
            return peer.IpBlock.Cidr is "0.0.0.0/0" or "::/0" && (peer.IpBlock.Except is null || peer.IpBlock.Except.Count == 0);
        }
        if (source is not TrafficSource.Pod pod) return false;
        var namespaceMatches = peer.NamespaceSelector is null
            ? pod.Namespace == policyNamespace
            : Matches(peer.NamespaceSelector, new Dictionary<string, string>(StringComparer.Ordinal) { [NamespaceNameLabel] = pod.Namespace });
        return namespaceMatches && (peer.PodSelector is null || Matches(peer.PodSelector, pod.Labels));
    }

    /// <summary>A label selector; an empty one selects everything.</summary>
    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>(StringComparer.Ordinal);
        if (selector is null) return true;
        var byLabels = (selector.MatchLabels ?? new Dictionary<string, string>()).All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);
        var byExpressions = (selector.MatchExpressions ?? []).All(e => e.OperatorProperty switch
        {
            "In" => labels.TryGetValue(e.Key, out var value) && e.Values.Contains(value),
            "NotIn" => !labels.TryGetValue(e.Key, out var value) || !e.Values.Contains(value),
            "Exists" => labels.ContainsKey(e.Key),
            "DoesNotExist" => !labels.ContainsKey(e.Key),
            _ => throw new InvalidOperationException($"Unknown label selector operator '{e.OperatorProperty}'."),
        });
        return byLabels && byExpressions;
    }
}

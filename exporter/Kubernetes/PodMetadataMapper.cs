using System.Collections.Frozen;
using k8s.Models;
using KubeMonitor.Exporter.Collection;

namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>
/// Turns a Pod object of the Kubernetes API into the <see cref="PodMetadata"/> the exporter joins
/// into its snapshots. Pure: no I/O, no clock.
/// </summary>
internal static class PodMetadataMapper
{
    /// <summary>The label the Deployment controller puts on its ReplicaSets and their pods.</summary>
    internal const string PodTemplateHashLabel = "pod-template-hash";

    /// <summary>
    /// On a mirror pod (the API's copy of a static pod) this annotation holds the kubelet's config
    /// hash, which is the uid the kubelet names the pod's cgroup with; the mirror pod's own
    /// metadata.uid is a different one.
    /// </summary>
    internal const string MirrorAnnotation = "kubernetes.io/config.mirror";

    /// <summary>The uid under which the pod's cgroup appears on the node (see <see cref="MirrorAnnotation"/>).</summary>
    public static string? CgroupUid(V1Pod pod)
    {
        var metadata = pod.Metadata;
        if (metadata?.Annotations is { } annotations
            && annotations.TryGetValue(MirrorAnnotation, out var hash)
            && !string.IsNullOrEmpty(hash))
        {
            return hash;
        }
        return string.IsNullOrEmpty(metadata?.Uid) ? null : metadata.Uid;
    }

    /// <summary>Null when the object lacks the name, namespace or uid every pod has.</summary>
    public static PodMetadata? ToMetadata(V1Pod pod)
    {
        var metadata = pod.Metadata;
        if (metadata is null || string.IsNullOrEmpty(metadata.Name) || string.IsNullOrEmpty(metadata.Uid)) return null;

        var owner = ControllerOf(metadata);
        var containers = ContainerResourcesOf(pod.Spec);
        return new PodMetadata(
            metadata.Name,
            metadata.NamespaceProperty ?? "default",
            metadata.Uid,
            owner?.Kind,
            owner?.Name,
            DeploymentOf(owner, metadata.Labels),
            ContainerNames(pod.Status))
        {
            Labels = (metadata.Labels ?? new Dictionary<string, string>()).ToFrozenDictionary(StringComparer.Ordinal),
            Containers = containers,
            Resources = RequestsAndLimits.SumOf([.. containers.Select(c => c.Resources)]),
        };
    }

    /// <summary>
    /// The regular containers' requests and limits from the spec (what the kubelet sizes their
    /// cgroups by). Init and ephemeral containers are left out: the pod's sums cover only these.
    /// </summary>
    private static List<ContainerResources> ContainerResourcesOf(V1PodSpec? spec)
    {
        var containers = new List<ContainerResources>(spec?.Containers?.Count ?? 0);
        foreach (var container in spec?.Containers ?? [])
        {
            if (string.IsNullOrEmpty(container.Name)) continue;
            var requests = container.Resources?.Requests;
            var limits = container.Resources?.Limits;
            containers.Add(new ContainerResources(container.Name, new RequestsAndLimits(
                ResourceQuantities.Value(requests, ResourceQuantities.Cpu),
                ResourceQuantities.Value(limits, ResourceQuantities.Cpu),
                ResourceQuantities.Value(requests, ResourceQuantities.Memory),
                ResourceQuantities.Value(limits, ResourceQuantities.Memory))));
        }
        return containers;
    }

    /// <summary>The owner reference marked controller; other references (garbage collection only) are not owners.</summary>
    private static V1OwnerReference? ControllerOf(V1ObjectMeta metadata) =>
        metadata.OwnerReferences?.FirstOrDefault(reference => reference.Controller == true);

    /// <summary>
    /// docs/api.md section 5: a ReplicaSet owner named "&lt;deployment&gt;-&lt;pod-template-hash&gt;" is the
    /// Deployment's. Anything else (Job, StatefulSet, DaemonSet, no owner, a hand-made ReplicaSet
    /// without the hash) has none here; the facade may still resolve it its own way.
    /// </summary>
    internal static string? DeploymentOf(V1OwnerReference? owner, IDictionary<string, string>? labels)
    {
        if (owner is null || owner.Kind != "ReplicaSet" || string.IsNullOrEmpty(owner.Name)) return null;
        if (labels is null || !labels.TryGetValue(PodTemplateHashLabel, out var hash) || string.IsNullOrEmpty(hash)) return null;

        var suffixLength = hash.Length + 1;
        var name = owner.Name;
        if (name.Length <= suffixLength || name[^suffixLength] != '-' || !name.EndsWith(hash, StringComparison.Ordinal)) return null;
        return name[..^suffixLength];
    }

    private static Dictionary<string, string> ContainerNames(V1PodStatus? status)
    {
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (status is null) return names;
        Add(status.ContainerStatuses);
        Add(status.InitContainerStatuses);
        Add(status.EphemeralContainerStatuses);
        return names;

        void Add(IList<V1ContainerStatus>? statuses)
        {
            if (statuses is null) return;
            foreach (var container in statuses)
            {
                // A container that has not started yet has no id; its cgroup does not exist either.
                if (BareContainerId(container.ContainerID) is { } id && !string.IsNullOrEmpty(container.Name))
                {
                    names[id] = container.Name;
                }
            }
        }
    }

    /// <summary>
    /// "containerd://&lt;id&gt;", "cri-o://&lt;id&gt;" or "docker://&lt;id&gt;" to the bare id that names
    /// the container's cgroup. Null for an empty id.
    /// </summary>
    public static string? BareContainerId(string? containerId)
    {
        if (string.IsNullOrWhiteSpace(containerId)) return null;
        var separator = containerId.IndexOf("://", StringComparison.Ordinal);
        var id = separator < 0 ? containerId : containerId[(separator + 3)..];
        return id.Length == 0 ? null : id;
    }
}

extern alias KubeFull;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KubeFull::k8s.Models;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>
/// What Prometheus's <c>kubernetes_sd_configs</c> with <c>role: pod</c> hands to relabelling,
/// written as a <c>file_sd</c> file: Debian's Prometheus 2.42 is built without Kubernetes
/// discovery. As discovery/kubernetes/pod.go builds it: nothing for a pod without an address;
/// else one target per container port (address podIP:port), or per container without ports
/// (address podIP), each with the pod's labels (names sanitized) and meta labels.
/// </summary>
internal static partial class PodDiscovery
{
    public static JsonArray FileSd(IEnumerable<V1Pod> pods)
    {
        var groups = new JsonArray();
        foreach (var pod in pods.Where(p => !string.IsNullOrEmpty(p.Status?.PodIP)))
        {
            var podLabels = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["__meta_kubernetes_namespace"] = pod.Metadata.NamespaceProperty,
                ["__meta_kubernetes_pod_name"] = pod.Metadata.Name,
                ["__meta_kubernetes_pod_ip"] = pod.Status.PodIP,
                ["__meta_kubernetes_pod_phase"] = pod.Status.Phase,
                ["__meta_kubernetes_pod_node_name"] = pod.Spec.NodeName,
                ["__meta_kubernetes_pod_uid"] = pod.Metadata.Uid,
            };
            foreach (var (key, value) in pod.Metadata.Labels ?? new Dictionary<string, string>())
            {
                podLabels["__meta_kubernetes_pod_label_" + Sanitize(key)] = value;
                podLabels["__meta_kubernetes_pod_labelpresent_" + Sanitize(key)] = "true";
            }
            foreach (var container in pod.Spec.Containers)
            {
                foreach (var port in container.Ports is { Count: > 0 } ports ? ports.Cast<V1ContainerPort?>() : [null])
                {
                    var labels = new JsonObject(podLabels.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)))
                    {
                        ["__meta_kubernetes_pod_container_name"] = container.Name,
                    };
                    var address = pod.Status.PodIP;
                    if (port is not null)
                    {
                        address += ":" + port.ContainerPort.ToString(CultureInfo.InvariantCulture);
                        labels["__meta_kubernetes_pod_container_port_name"] = port.Name ?? "";
                        labels["__meta_kubernetes_pod_container_port_number"] = port.ContainerPort.ToString(CultureInfo.InvariantCulture);
                        labels["__meta_kubernetes_pod_container_port_protocol"] = port.Protocol ?? "TCP";
                    }
                    groups.Add(new JsonObject { ["targets"] = new JsonArray(address), ["labels"] = labels });
                }
            }
        }
        return groups;
    }

    /// <summary>Prometheus's strutil.SanitizeLabelName: every character outside [a-zA-Z0-9_] becomes '_'.</summary>
    private static string Sanitize(string name) => Invalid().Replace(name, "_");

    [GeneratedRegex("[^a-zA-Z0-9_]", RegexOptions.CultureInvariant)]
    private static partial Regex Invalid();
}

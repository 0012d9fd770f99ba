using k8s.Models;

namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>
/// Requests and limits as numbers. KubernetesClient's <see cref="ResourceQuantity"/> parses the
/// API's quantity strings (a port of apimachinery's resource.Quantity: "500m", "1.5", "128Mi",
/// "1G", "12e6"); its value is the amount in the resource's base unit, so cpu comes out in cores
/// and memory in bytes.
/// </summary>
internal static class ResourceQuantities
{
    public const string Cpu = "cpu";
    public const string Memory = "memory";

    /// <summary>The named resource's amount; null when it is not set.</summary>
    public static double? Value(IDictionary<string, ResourceQuantity>? quantities, string resource) =>
        quantities is not null && quantities.TryGetValue(resource, out var quantity) && quantity is not null
            ? (double)quantity.ToDecimal()
            : null;
}

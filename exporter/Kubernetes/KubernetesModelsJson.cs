using System.Text.Json.Serialization;
using k8s.Models;

namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>
/// JSON metadata for the only API objects the exporter reads. KubernetesClient's own
/// <c>KubernetesJson</c> carries source-generated metadata for every Kubernetes type: linked into
/// the NativeAOT binary it was 2.7 MB of code and most of the 15 MB of data rehydrated at start,
/// about a third of the exporter's RSS (docs/benchmarks.md). The models stay the library's.
/// </summary>
[JsonSerializable(typeof(V1PodList))]
[JsonSerializable(typeof(V1NodeList))]
[JsonSerializable(typeof(V1Pod))]
[JsonSerializable(typeof(V1Node))]
[JsonSerializable(typeof(V1Status))]
internal sealed partial class KubernetesModelsJson : JsonSerializerContext;

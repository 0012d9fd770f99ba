using System.Text.Json.Serialization;

namespace KubeMonitor.Facade.MetricsApi;

// The objects of metrics.k8s.io/v1beta1 as metrics-server writes them (k8s.io/metrics
// pkg/apis/metrics/v1beta1), camelCase; null members are left out.

internal sealed record ObjectMeta(string Name, string? Namespace, IReadOnlyDictionary<string, string>? Labels, string CreationTimestamp);

internal sealed record ResourceUsage(string Cpu, string Memory);

internal sealed record NodeMetrics(ObjectMeta Metadata, string Timestamp, string Window, ResourceUsage Usage)
{
    [JsonPropertyOrder(-2)]
    public string Kind { get; } = "NodeMetrics";

    [JsonPropertyOrder(-1)]
    public string ApiVersion { get; } = MetricsResources.GroupVersion;
}

internal sealed record ContainerMetrics(string Name, ResourceUsage Usage);

internal sealed record PodMetrics(ObjectMeta Metadata, string Timestamp, string Window, IReadOnlyList<ContainerMetrics> Containers)
{
    [JsonPropertyOrder(-2)]
    public string Kind { get; } = "PodMetrics";

    [JsonPropertyOrder(-1)]
    public string ApiVersion { get; } = MetricsResources.GroupVersion;
}

/// <summary>A list: <c>{kind, apiVersion, metadata: {}, items}</c>.</summary>
internal sealed record MetricsList<T>([property: JsonPropertyOrder(-2)] string Kind, IEnumerable<T> Items)
{
    [JsonPropertyOrder(-1)]
    public string ApiVersion { get; } = MetricsResources.GroupVersion;

    [JsonPropertyOrder(-1)]
    public Dictionary<string, string> Metadata { get; } = [];
}

internal sealed record ApiResource(string Name, string SingularName, bool Namespaced, string Kind, IReadOnlyList<string> Verbs);

internal sealed record ApiResourceList(string GroupVersion, IReadOnlyList<ApiResource> Resources)
{
    [JsonPropertyOrder(-2)]
    public string Kind { get; } = "APIResourceList";

    [JsonPropertyOrder(-1)]
    public string ApiVersion { get; } = "v1";
}

internal sealed record GroupVersionForDiscovery(string GroupVersion, string Version);

internal sealed record ApiGroup(string Name, IReadOnlyList<GroupVersionForDiscovery> Versions, GroupVersionForDiscovery PreferredVersion)
{
    [JsonPropertyOrder(-2)]
    public string Kind { get; } = "APIGroup";

    [JsonPropertyOrder(-1)]
    public string ApiVersion { get; } = "v1";
}

internal sealed record ApiGroupList(IReadOnlyList<ApiGroup> Groups)
{
    [JsonPropertyOrder(-2)]
    public string Kind { get; } = "APIGroupList";

    [JsonPropertyOrder(-1)]
    public string ApiVersion { get; } = "v1";
}

/// <summary>The group, its one version, and what discovery says of them.</summary>
internal static class MetricsResources
{
    public const string Group = "metrics.k8s.io";
    public const string Version = "v1beta1";
    public const string GroupVersion = Group + "/" + Version;
    public const string Root = "/apis/" + GroupVersion;

    private static readonly GroupVersionForDiscovery Only = new(GroupVersion, Version);

    public static readonly ApiGroup ApiGroup = new(Group, [Only], Only);

    public static readonly ApiResourceList Resources = new(GroupVersion,
    [
        new ApiResource("nodes", "", Namespaced: false, "NodeMetrics", ["get", "list"]),
        new ApiResource("pods", "", Namespaced: true, "PodMetrics", ["get", "list"]),
    ]);
}

/// <summary>What a request asks to do, as a SubjectAccessReview puts it; no resource for discovery.</summary>
internal sealed record AccessRequest(string Verb, string? Resource, string? Namespace = null, string? Name = null);

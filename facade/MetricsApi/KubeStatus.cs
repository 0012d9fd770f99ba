using System.Text.Json.Serialization;

namespace KubeMonitor.Facade.MetricsApi;

/// <summary>
/// A Kubernetes <c>Status</c> (kind Status, apiVersion v1), the error body every Kubernetes API
/// answers with and that kubectl and client-go read (<c>Error from server (NotFound): ...</c>).
/// </summary>
internal sealed record KubeStatus(string Message, string Reason, int Code, StatusDetails? Details = null)
{
    [JsonPropertyOrder(-2)]
    public string Kind { get; } = "Status";

    [JsonPropertyOrder(-1)]
    public string ApiVersion { get; } = "v1";

    [JsonPropertyOrder(-1)]
    public Dictionary<string, string> Metadata { get; } = [];

    public string Status { get; } = "Failure";

    /// <summary>As metrics-server names them: <c>nodemetrics.metrics.k8s.io "node-1" not found</c>, <c>podmetrics.metrics.k8s.io "ns/pod" not found</c>.</summary>
    public static KubeStatus NotFound(string resource, string name) =>
        new($"{resource}.{MetricsResources.Group} \"{name}\" not found", "NotFound", 404, new StatusDetails(name, MetricsResources.Group, resource));

    /// <summary>A path that no resource is at (as the API server answers one).</summary>
    public static KubeStatus NoSuchPath() => new("the server could not find the requested resource", "NotFound", 404);

    public static KubeStatus BadRequest(string message) => new(message, "BadRequest", 400);

    public static KubeStatus MethodNotAllowed(string method) => new($"the server does not allow this method on the requested resource ({method})", "MethodNotAllowed", 405);

    public static KubeStatus Unauthorized() => new("Unauthorized", "Unauthorized", 401);

    /// <summary><c>pods.metrics.k8s.io "web" is forbidden: User "bob" cannot get resource "pods" in API group "metrics.k8s.io" in the namespace "a"</c>.</summary>
    public static KubeStatus Forbidden(string user, AccessRequest access)
    {
        var what = access.Name is null ? $"{access.Resource}.{MetricsResources.Group}" : $"{access.Resource}.{MetricsResources.Group} \"{access.Name}\"";
        var where = access.Namespace is null ? "at the cluster scope" : $"in the namespace \"{access.Namespace}\"";
        return new($"{what} is forbidden: User \"{user}\" cannot {access.Verb} resource \"{access.Resource}\" in API group \"{MetricsResources.Group}\" {where}",
            "Forbidden", 403, new StatusDetails(access.Name, MetricsResources.Group, access.Resource ?? ""));
    }

    public static KubeStatus Unavailable(string message) => new(message, "ServiceUnavailable", 503);
}

internal sealed record StatusDetails(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name, string Group, string Kind);

using KubeMonitor.Facade.Kubernetes;

namespace KubeMonitor.Facade.Queries;

/// <summary>A pod's deployment per docs/api.md section 5. Resolved when read, so owners learnt later apply to stored pods.</summary>
public sealed class DeploymentResolver(IReplicaSetOwnerResolver owners)
{
    public string? Resolve(string @namespace, string? sentDeployment, string? ownerKind, string? ownerName)
    {
        if (sentDeployment is not null) return sentDeployment;
        if (ownerKind != "ReplicaSet" || string.IsNullOrEmpty(ownerName)) return null;
        if (owners.TryGetDeployment(@namespace, ownerName, out var known)) return known;
        return FromReplicaSetName(ownerName);
    }

    /// <summary>A ReplicaSet is named <c>&lt;deployment&gt;-&lt;pod-template-hash&gt;</c>; without a '-' it names no deployment.</summary>
    public static string? FromReplicaSetName(string replicaSetName)
    {
        var dash = replicaSetName.LastIndexOf('-');
        return dash > 0 ? replicaSetName[..dash] : null;
    }
}

namespace KubeMonitor.Facade.Kubernetes;

/// <summary>
/// The Deployment that really owns a ReplicaSet, from the API server. Callers fall back to the
/// name rule (docs/api.md section 5) when this returns false.
/// </summary>
public interface IReplicaSetOwnerResolver
{
    /// <summary>
    /// True when the ReplicaSet is known; then <paramref name="deployment"/> is its controlling
    /// Deployment, or null when none owns it (a bare ReplicaSet, an Argo Rollout...).
    /// False when unknown or before the first list: use the name rule.
    /// </summary>
    bool TryGetDeployment(string namespaceName, string replicaSetName, out string? deployment);
}

public static class ReplicaSetOwnerResolverExtensions
{
    /// <summary>The owning Deployment if the ReplicaSet is known and owned by one, else null.</summary>
    public static string? DeploymentOf(this IReplicaSetOwnerResolver resolver, string namespaceName, string replicaSetName) =>
        resolver.TryGetDeployment(namespaceName, replicaSetName, out var deployment) ? deployment : null;
}

/// <summary>Outside a cluster nothing is known: every caller uses the name rule.</summary>
public sealed class NoReplicaSetOwners : IReplicaSetOwnerResolver
{
    public bool TryGetDeployment(string namespaceName, string replicaSetName, out string? deployment)
    {
        deployment = null;
        return false;
    }
}

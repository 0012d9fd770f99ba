extern alias KubeFull;
using KubeFull::k8s.Models;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>
/// The roles every cluster has that the renderings bind but do not carry, with the rules the API
/// server's bootstrap policy gives them (k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy),
/// so that the rights of a ServiceAccount can be read from the rendering alone.
/// </summary>
internal static class BuiltInRoles
{
    /// <summary>Namespace of the built-in Roles (ClusterRoles have none).</summary>
    public const string KubeSystem = "kube-system";

    private static readonly Dictionary<string, V1PolicyRule[]> ClusterRoles = new(StringComparer.Ordinal)
    {
        // What delegated authentication and authorization need: ask who a caller is and what it may do.
        ["system:auth-delegator"] =
        [
            new V1PolicyRule { ApiGroups = ["authentication.k8s.io"], Resources = ["tokenreviews"], Verbs = ["create"] },
            new V1PolicyRule { ApiGroups = ["authorization.k8s.io"], Resources = ["subjectaccessreviews"], Verbs = ["create"] },
        ],
    };

    private static readonly Dictionary<string, V1PolicyRule[]> KubeSystemRoles = new(StringComparer.Ordinal)
    {
        // The one ConfigMap with the client and request-header CAs.
        ["extension-apiserver-authentication-reader"] =
        [
            new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], ResourceNames = ["extension-apiserver-authentication"], Verbs = ["get", "list", "watch"] },
        ],
    };

    public static IList<V1PolicyRule>? ClusterRole(string name) => ClusterRoles.GetValueOrDefault(name);

    public static IList<V1PolicyRule>? Role(string name, string @namespace) =>
        @namespace == KubeSystem ? KubeSystemRoles.GetValueOrDefault(name) : null;
}

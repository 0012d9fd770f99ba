extern alias KubeFull;
using KubeFull::k8s;
using KubeFull::k8s.Models;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>
/// Rendered YAML loaded with KubernetesClient's typed loader, strictly: a field the type does not
/// know (a typo, a wrong nesting) is an error, as the API server's strict field validation is.
/// The prometheus-operator kinds are not built in; they load into the typed models of
/// <see cref="MonitoringModels"/>, written from the operator's CRDs.
/// </summary>
internal sealed class Manifests
{
    private static readonly Dictionary<string, Type> CustomKinds = new(StringComparer.Ordinal)
    {
        ["monitoring.coreos.com/v1/ServiceMonitor"] = typeof(ServiceMonitor),
        ["monitoring.coreos.com/v1/PodMonitor"] = typeof(PodMonitor),
        ["monitoring.coreos.com/v1/PrometheusRule"] = typeof(PrometheusRule),
    };

    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects { get; }

    private Manifests(IReadOnlyList<IKubernetesObject<V1ObjectMeta>> objects) => Objects = objects;

    public static Manifests Load(string yaml)
    {
        var typeMap = new Dictionary<string, Type>(CustomKinds);
        var loaded = KubernetesYaml.LoadAllFromString(yaml, typeMap, strict: true);
        var objects = loaded.Select(o => o as IKubernetesObject<V1ObjectMeta>
            ?? throw new InvalidOperationException($"{o.GetType().Name} is not a Kubernetes object with metadata.")).ToList();
        return new Manifests(objects);
    }

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public T Single<T>(string name) where T : IKubernetesObject<V1ObjectMeta> =>
        Assert.Single(Objects.OfType<T>(), o => o.Metadata.Name == name);

    public V1DaemonSet Exporter => Single<V1DaemonSet>("kubemonitor-exporter");
    /// <summary>
    /// The facade's workload as a Deployment: the base's, or (overlays/persistent) the StatefulSet
    /// made of it, whose selector, replicas and pod template every check here is about.
    /// </summary>
    public V1Deployment Facade
    {
        get
        {
            var deployments = Objects.OfType<V1Deployment>().Where(o => o.Metadata.Name == FacadeName).ToList();
            var statefulSets = Objects.OfType<V1StatefulSet>().Where(o => o.Metadata.Name == FacadeName).ToList();
            Assert.Equal(1, deployments.Count + statefulSets.Count);
            if (deployments.Count == 1) return deployments[0];
            var set = statefulSets[0];
            return new V1Deployment
            {
                ApiVersion = set.ApiVersion,
                Kind = "Deployment",
                Metadata = set.Metadata,
                Spec = new V1DeploymentSpec { Selector = set.Spec.Selector, Template = set.Spec.Template, Replicas = set.Spec.Replicas, MinReadySeconds = set.Spec.MinReadySeconds },
            };
        }
    }

    /// <summary>The facade as a StatefulSet (overlays/persistent), or null where it is a Deployment.</summary>
    public V1StatefulSet? FacadeStatefulSet => Objects.OfType<V1StatefulSet>().SingleOrDefault(o => o.Metadata.Name == FacadeName);

    private const string FacadeName = "kubemonitor-facade";
    public V1Container ExporterContainer => Assert.Single(Exporter.Spec.Template.Spec.Containers);
    public V1Container FacadeContainer => Assert.Single(Facade.Spec.Template.Spec.Containers);

    /// <summary>The rules bound to a ServiceAccount (ClusterRoleBindings to ClusterRoles, RoleBindings to Roles).</summary>
    public IReadOnlyList<V1PolicyRule> RulesOf(string serviceAccount, string @namespace)
    {
        static bool Names(IEnumerable<Rbacv1Subject> subjects, string name, string ns) =>
            subjects.Any(s => s.Kind == "ServiceAccount" && s.Name == name && s.NamespaceProperty == ns);
        var rules = new List<V1PolicyRule>();
        foreach (var binding in All<V1ClusterRoleBinding>().Where(b => Names(b.Subjects, serviceAccount, @namespace)))
        {
            Assert.Equal("ClusterRole", binding.RoleRef.Kind);
            rules.AddRange(ClusterRoleRules(binding.RoleRef.Name));
        }
        foreach (var binding in All<V1RoleBinding>().Where(b => Names(b.Subjects, serviceAccount, @namespace)))
        {
            rules.AddRange(binding.RoleRef.Kind == "Role"
                ? RoleRules(binding.RoleRef.Name, binding.Metadata.NamespaceProperty)
                : ClusterRoleRules(binding.RoleRef.Name));
        }
        return rules;
    }

    /// <summary>A ClusterRole of the rendering, else one every cluster has; neither fails.</summary>
    private IEnumerable<V1PolicyRule> ClusterRoleRules(string name) =>
        All<V1ClusterRole>().SingleOrDefault(r => r.Metadata.Name == name)?.Rules
            ?? BuiltInRoles.ClusterRole(name)
            ?? throw new InvalidOperationException($"ClusterRole {name} is neither rendered nor built in.");

    /// <summary>A Role of the binding's namespace, rendered or built in.</summary>
    private IEnumerable<V1PolicyRule> RoleRules(string name, string @namespace) =>
        All<V1Role>().SingleOrDefault(r => r.Metadata.Name == name && r.Metadata.NamespaceProperty == @namespace)?.Rules
            ?? BuiltInRoles.Role(name, @namespace)
            ?? throw new InvalidOperationException($"Role {@namespace}/{name} is neither rendered nor built in.");
}

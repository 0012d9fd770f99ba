extern alias KubeFull;
using KubeFull::k8s.Models;
using KubeMonitor.Deploy.Tests.Support;

namespace KubeMonitor.Deploy.Tests;

/// <summary>
/// The metrics-api overlay as rendered (issue 12, 4): the APIService that hands metrics.k8s.io to
/// the facade, the Service port and listener behind it, and the rights an aggregated API server
/// needs and no more. Values that must match metrics-server's are the ones its own manifest uses.
/// </summary>
public sealed class MetricsApiManifestTests
{
    private const string Namespace = "kubemonitor";

    /// <summary>The facade container port of the HTTPS listener, named as metrics-server names its own.</summary>
    internal const string PortName = "https";

    private const string AuthReaderRole = "extension-apiserver-authentication-reader";

    /// <summary>
    /// What delegated authentication and authorization need: TokenReviews and SubjectAccessReviews
    /// (system:auth-delegator), and the request-header CA in kube-system (the reader Role).
    /// </summary>
    internal static IReadOnlyList<string> AggregatedServerRights { get; } =
    [
        "/configmaps [extension-apiserver-authentication]: get,list,watch",
        "authentication.k8s.io/tokenreviews: create",
        "authorization.k8s.io/subjectaccessreviews: create",
    ];

    public static TheoryData<string> Targets() => [.. Kustomize.MetricsApiTargets];

    /// <summary>The binding that lets a facade read the request-header CA: in kube-system, beside the Role.</summary>
    internal static bool IsAuthReaderBinding(object o) =>
        o is V1RoleBinding { RoleRef: { Kind: "Role", Name: AuthReaderRole } } binding
        && binding.Metadata.NamespaceProperty == BuiltInRoles.KubeSystem;

    private static async Task<Manifests> RenderAsync(string target) => Manifests.Load(await Kustomize.RenderAsync(target));

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task The_api_service_hands_the_group_to_the_facade_service_on_443_as_metrics_server_does(string target)
    {
        var manifests = await RenderAsync(target);
        var apiService = Assert.Single(manifests.All<V1APIService>());
        Assert.Equal("v1beta1.metrics.k8s.io", apiService.Metadata.Name);
        Assert.Equal(("metrics.k8s.io", "v1beta1"), (apiService.Spec.Group, apiService.Spec.Version));
        // metrics-server's priorities: the order kubectl's discovery lists the group in.
        Assert.Equal((100, 100), (apiService.Spec.GroupPriorityMinimum, apiService.Spec.VersionPriority));
        // The facade's certificate is self-signed (made at start): nothing to pin, as metrics-server's default.
        Assert.True(apiService.Spec.InsecureSkipTLSVerify);
        Assert.Null(apiService.Spec.CaBundle);

        var service = Assert.Single(manifests.All<V1Service>(), s => s.Metadata.Name == apiService.Spec.Service.Name);
        Assert.Equal(service.Metadata.NamespaceProperty, apiService.Spec.Service.NamespaceProperty);
        Assert.Equal(Namespace, apiService.Spec.Service.NamespaceProperty);
        Assert.Equal(443, apiService.Spec.Service.Port);
        Assert.True(service.Spec.Type is null or "ClusterIP" && service.Spec.ClusterIP is null, "The aggregator dials a Service's cluster IP.");
        ManifestTests.AssertSelects(service.Spec.Selector, manifests.Facade.Spec.Template.Metadata.Labels, $"Service {service.Metadata.Name}");

        // 443 reaches the container port the facade's HTTPS listener is on.
        var port = Assert.Single(service.Spec.Ports, p => p.Port == 443);
        var listener = FacadeListen.Of(manifests.FacadeContainer);
        Assert.NotNull(listener.MetricsApiPort);
        Assert.Equal(listener.MetricsApiPort, ManifestTests.TargetPort(port, manifests.FacadeContainer));
        Assert.Equal(PortName, port.Name);
        Assert.Equal(PortName, Assert.Single(manifests.FacadeContainer.Ports, p => p.ContainerPort == listener.MetricsApiPort).Name);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task The_facade_listens_with_https_on_all_addresses_and_reviews_every_caller(string target)
    {
        var facade = (await RenderAsync(target)).FacadeContainer;
        var url = new Uri(ContainerSettings.Facade(facade, "MetricsApi:Url")!);
        Assert.Equal(("https", "0.0.0.0"), (url.Scheme, url.Host));
        // In a cluster: the request-header CA from kube-system, SubjectAccessReview for each user.
        // AllowAuthenticated (every authenticated user may read) is for tests and single-user clusters.
        Assert.Null(ContainerSettings.Facade(facade, "MetricsApi:Authorization"));
        Assert.Null(ContainerSettings.Facade(facade, "MetricsApi:RequestHeaderClientCaFile"));
        // A certificate of its own is the caBundle way (docs/install.md); by default it makes one.
        Assert.Null(ContainerSettings.Facade(facade, "MetricsApi:TlsCertFile"));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task The_facade_may_review_callers_and_read_the_request_header_ca_and_nothing_more(string target)
    {
        var manifests = await RenderAsync(target);
        var delegator = Assert.Single(manifests.All<V1ClusterRoleBinding>(), b => b.RoleRef.Name == "system:auth-delegator");
        Assert.Equal("ClusterRole", delegator.RoleRef.Kind);
        AssertOnlyTheFacade(delegator.Subjects, Namespace);

        var reader = Assert.Single(manifests.All<V1RoleBinding>());
        Assert.True(IsAuthReaderBinding(reader), $"RoleBinding {reader.Metadata.Name} binds {reader.RoleRef.Kind} {reader.RoleRef.Name} in {reader.Metadata.NamespaceProperty}.");
        AssertOnlyTheFacade(reader.Subjects, Namespace);

        // The metrics API's rights are these, beside the push path's (ManifestTests); the exporter gets none.
        var facadeRights = ManifestTests.Describe(manifests.RulesOf("kubemonitor-facade", Namespace));
        Assert.Equal(AggregatedServerRights, facadeRights.Intersect(AggregatedServerRights));
        var exporterRights = ManifestTests.Describe(manifests.RulesOf("kubemonitor-exporter", Namespace));
        Assert.Empty(exporterRights.Intersect(AggregatedServerRights));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Metrics_readers_role_reads_pods_and_nodes_metrics_and_joins_view_edit_and_admin(string target)
    {
        var manifests = await RenderAsync(target);
        var reader = manifests.Single<V1ClusterRole>("system:aggregated-metrics-reader");
        var rule = Assert.Single(reader.Rules);
        Assert.Equal(["metrics.k8s.io"], rule.ApiGroups);
        Assert.Equal(["nodes", "pods"], rule.Resources.Order(StringComparer.Ordinal));
        Assert.Equal(["get", "list", "watch"], rule.Verbs.Order(StringComparer.Ordinal));
        Assert.Null(rule.ResourceNames);
        Assert.Null(rule.NonResourceURLs);
        foreach (var role in new[] { "view", "edit", "admin" })
        {
            Assert.Equal("true", reader.Metadata.Labels[$"rbac.authorization.k8s.io/aggregate-to-{role}"]);
        }
        // Granted through those roles only: no binding of its own.
        Assert.DoesNotContain(manifests.All<V1ClusterRoleBinding>(), b => b.RoleRef.Name == reader.Metadata.Name);
        Assert.DoesNotContain(manifests.All<V1RoleBinding>(), b => b.RoleRef.Name == reader.Metadata.Name);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Moved_to_another_namespace_the_reader_binding_stays_in_kube_system_for_the_moved_account(string target)
    {
        const string other = "monitoring-x";
        var manifests = Manifests.Load(await Kustomize.RenderInNamespaceAsync(target, other));
        var reader = Assert.Single(manifests.All<V1RoleBinding>());
        Assert.True(IsAuthReaderBinding(reader), $"RoleBinding {reader.Metadata.Name} moved to {reader.Metadata.NamespaceProperty}.");
        AssertOnlyTheFacade(reader.Subjects, other);
        Assert.Equal(other, Assert.Single(manifests.All<V1APIService>()).Spec.Service.NamespaceProperty);
        Assert.Equal(AggregatedServerRights, ManifestTests.Describe(manifests.RulesOf("kubemonitor-facade", other)).Intersect(AggregatedServerRights));
    }

    [Fact]
    public async Task Without_the_transformers_a_namespace_move_would_strand_the_reader_binding()
    {
        // Why docs/install.md's move lists the transformers: a plain `namespace:` breaks the binding.
        var kustomization = InstallDoc.MarkedBlock("metrics-api-namespace");
        var plain = string.Join('\n', kustomization.Split('\n').TakeWhile(l => !l.StartsWith("transformers:", StringComparison.Ordinal)));
        Assert.NotEqual(kustomization.TrimEnd(), plain.TrimEnd());
        var reader = Assert.Single(Manifests.Load(await Kustomize.RenderOperatorsKustomizationAsync(plain)).All<V1RoleBinding>());
        Assert.False(IsAuthReaderBinding(reader));
    }

    [Fact]
    public async Task Switching_back_deletes_what_the_overlay_adds_and_reapplies_the_base()
    {
        var overlay = await RenderAsync(Kustomize.MetricsApiTargets[0]);
        var @base = await RenderAsync("base");
        static string Key(string kind, string name, string? ns) => $"{kind.ToLowerInvariant()} {(ns is null ? "" : ns + "/")}{name}";
        var baseKeys = @base.Objects.Select(o => Key(o.Kind, o.Metadata.Name, o.Metadata.NamespaceProperty)).ToHashSet(StringComparer.Ordinal);
        var added = overlay.Objects.Select(o => Key(o.Kind, o.Metadata.Name, o.Metadata.NamespaceProperty)).Where(k => !baseKeys.Contains(k));

        // docs/install.md's `kubectl [-n ns] delete kind name` lines: the objects apply -k deploy/base leaves behind.
        var section = InstallDoc.Section("### Switching back to metrics-server");
        var deleted = InstallDoc.CommandLines(section, "kubectl").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(w => w.Contains("delete"))
            .Select(w => w switch
            {
                ["kubectl", "-n", var ns, "delete", var kind, var name] => Key(kind, name, ns),
                ["kubectl", "delete", var kind, var name] => Key(kind, name, null),
                _ => throw new InvalidOperationException($"Unexpected delete line: {string.Join(' ', w)}"),
            });
        Assert.Equal(added.Order(StringComparer.Ordinal), deleted.Order(StringComparer.Ordinal));
        // The objects the overlay changes (Deployment, Service, NetworkPolicy) go back to the base's.
        Assert.Contains("kubectl apply -k deploy/base", InstallDoc.CommandLines(section, "kubectl"));
    }

    private static void AssertOnlyTheFacade(IList<Rbacv1Subject> subjects, string @namespace)
    {
        var subject = Assert.Single(subjects);
        Assert.Equal(("ServiceAccount", "kubemonitor-facade", @namespace), (subject.Kind, subject.Name, subject.NamespaceProperty));
    }
}

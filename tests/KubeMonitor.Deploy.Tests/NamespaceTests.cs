extern alias KubeFull;
using System.Text.RegularExpressions;
using KubeFull::k8s.Models;
using KubeMonitor.Deploy.Tests.Support;

namespace KubeMonitor.Deploy.Tests;

/// <summary>
/// Every rendering moved to another namespace by an operator's own kustomization (issue 16, 2):
/// kustomize rewrites metadata.namespace, and every reference it does not rewrite (a Service's DNS
/// name in a URL, a ServiceAccount's user name, a binding's subject) must still land in the new
/// namespace. Anything left pointing at kubemonitor is a DNS failure or a 401 on a real cluster.
/// </summary>
public sealed partial class NamespaceTests
{
    private const string Other = "monitoring-x";
    private const string Original = "kubemonitor";

    public static TheoryData<string> Targets() => [.. Kustomize.Targets];

    public static TheoryData<string> PushTargets() => [.. Kustomize.PushTargets];

    private static async Task<Manifests> RenderAsync(string target) =>
        Manifests.Load(await Kustomize.RenderInNamespaceAsync(target, Other));

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Every_namespaced_object_moves_and_the_namespace_object_is_renamed(string target)
    {
        var manifests = await RenderAsync(target);
        Assert.Equal(Other, Assert.Single(manifests.All<V1Namespace>()).Metadata.Name);
        var clusterScoped = new[] { typeof(V1Namespace), typeof(V1ClusterRole), typeof(V1ClusterRoleBinding), typeof(V1APIService) };
        // Except the metrics API's binding to a Role of kube-system, which stays beside it (MetricsApiManifestTests).
        Assert.All(manifests.Objects.Where(o => !clusterScoped.Contains(o.GetType()) && !MetricsApiManifestTests.IsAuthReaderBinding(o)),
            o => Assert.True(o.Metadata.NamespaceProperty == Other, $"{o.Kind} {o.Metadata.Name} is in '{o.Metadata.NamespaceProperty}'."));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Bindings_grant_the_same_rights_to_the_accounts_of_the_new_namespace(string target)
    {
        var moved = await RenderAsync(target);
        var original = Manifests.Load(await Kustomize.RenderAsync(target));

        var subjects = moved.All<V1ClusterRoleBinding>().SelectMany(b => b.Subjects ?? [])
            .Concat(moved.All<V1RoleBinding>().SelectMany(b => b.Subjects ?? []))
            .Where(s => s.Kind == "ServiceAccount").ToList();
        Assert.NotEmpty(subjects);
        Assert.All(subjects, s =>
        {
            Assert.True(s.NamespaceProperty == Other, $"The binding of ServiceAccount {s.Name} names namespace '{s.NamespaceProperty}'.");
            Assert.Contains(moved.All<V1ServiceAccount>(), a => a.Metadata.Name == s.Name);
        });
        Assert.All(moved.All<V1RoleBinding>().Where(b => !MetricsApiManifestTests.IsAuthReaderBinding(b)), b => Assert.Equal(Other, b.Metadata.NamespaceProperty));

        // Each workload's account keeps exactly the rights it has in kubemonitor.
        foreach (var account in new[] { moved.Exporter.Spec.Template.Spec.ServiceAccountName, moved.Facade.Spec.Template.Spec.ServiceAccountName })
        {
            Assert.Contains(moved.All<V1ServiceAccount>(), a => a.Metadata.Name == account);
            Assert.Equal(Rules(original.RulesOf(account, Original)), Rules(moved.RulesOf(account, Other)));
        }
    }

    [Theory]
    [MemberData(nameof(PushTargets))]
    public async Task Exporter_pushes_to_the_push_service_of_its_own_namespace(string target)
    {
        var manifests = await RenderAsync(target);
        var environment = PodEnvironment.Of(Other, manifests.ExporterContainer);
        var options = ManifestTests.ParseExporterArgs(new V1Container { Args = [.. environment.Args] });

        var headless = Assert.Single(manifests.All<V1Service>(), s => s.Spec.ClusterIP == "None");
        var url = Assert.Single(options.FacadeUrls);
        Assert.Equal((headless.Metadata.Name, Other), ServiceDns.Resolve(url.Host, Other));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task A_facade_checking_pushes_by_token_review_accepts_the_exporter_account_of_its_own_namespace(string target)
    {
        var manifests = await RenderAsync(target);
        var environment = PodEnvironment.Of(Other, manifests.FacadeContainer).Variables;
        if (environment.GetValueOrDefault("Facade__Auth__Mode") != "TokenReview")
        {
            // Token mode and the Prometheus source name no account (PushAuthTests, PrometheusSourceTests).
            Assert.DoesNotContain("Facade__Auth__ServiceAccount", environment.Keys);
            return;
        }
        var exporterAccount = manifests.Exporter.Spec.Template.Spec.ServiceAccountName;
        Assert.Equal($"system:serviceaccount:{Other}:{exporterAccount}", environment["Facade__Auth__ServiceAccount"]);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Every_service_and_account_named_in_args_and_env_is_one_of_the_new_namespace(string target)
    {
        var manifests = await RenderAsync(target);
        var services = manifests.All<V1Service>().Select(s => s.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var accounts = manifests.All<V1ServiceAccount>().Select(a => a.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var workloads = new (string Name, V1PodSpec Pod)[]
        {
            (manifests.Exporter.Metadata.Name, manifests.Exporter.Spec.Template.Spec),
            (manifests.Facade.Metadata.Name, manifests.Facade.Spec.Template.Spec),
        };
        foreach (var (workload, pod) in workloads)
        {
            foreach (var container in pod.Containers)
            {
                var environment = PodEnvironment.Of(Other, container);
                foreach (var value in environment.Args.Concat(environment.Variables.Values))
                {
                    foreach (Match user in ServiceAccountUser().Matches(value))
                    {
                        Assert.True(user.Groups["ns"].Value == Other, $"{workload}/{container.Name} names {user.Value}.");
                        Assert.Contains(user.Groups["name"].Value, accounts);
                    }
                    // A URL of one of this rendering's Services must reach the one in this namespace;
                    // other hosts (the Prometheus backend of prometheus-source) are not this installation's.
                    if (Uri.TryCreate(value, UriKind.Absolute, out var url) && ServiceDns.Resolve(url.Host, Other) is { } reached && services.Contains(reached.Service))
                    {
                        Assert.True(reached.Namespace == Other, $"{workload}/{container.Name} reaches {url} in namespace {reached.Namespace}.");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Nothing_names_kubemonitor_as_a_namespace(string target)
    {
        var rendered = await Kustomize.RenderInNamespaceAsync(target, Other);
        Assert.Contains($"namespace: {Other}", rendered, StringComparison.Ordinal);
        var left = OriginalNamespace().Matches(rendered).Select(m => m.Value).ToList();
        Assert.True(left.Count == 0, $"Still in {Original}: {string.Join(", ", left)}");
    }

    private static List<string> Rules(IEnumerable<V1PolicyRule> rules) =>
        [.. rules.Select(r => $"{string.Join(',', r.ApiGroups)}/{string.Join(',', r.Resources)}: {string.Join(',', r.Verbs)}").Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"system:serviceaccount:(?<ns>[^:\s]+):(?<name>[^:\s""']+)")]
    private static partial Regex ServiceAccountUser();

    /// <summary>kubemonitor where a namespace goes: a namespace field, a Service DNS name, a ServiceAccount user, a namespace selector.</summary>
    [GeneratedRegex(@"namespace""?:\s*""?kubemonitor(?![\w-])|\.kubemonitor(\.svc|[:/""\s]|$)|:kubemonitor:|metadata\.name""?:\s*""?kubemonitor(?![\w-])", RegexOptions.Multiline)]
    private static partial Regex OriginalNamespace();
}

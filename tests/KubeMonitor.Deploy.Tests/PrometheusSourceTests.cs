extern alias KubeFull;
using System.Globalization;
using System.Text.RegularExpressions;
using KubeFull::k8s;
using KubeFull::k8s.Models;
using KubeMonitor.Deploy.Tests.Support;

namespace KubeMonitor.Deploy.Tests;

/// <summary>
/// The renderings whose facade answers from Prometheus (docs/api.md section 8): the facade reads
/// the backend, nothing pushes, nothing is left of the push path, Prometheus scrapes the exporters
/// through the prometheus-operator overlay's objects, and the rights are the fewest that remain.
/// What holds for every rendering is in <see cref="ManifestTests"/>.
/// </summary>
public sealed partial class PrometheusSourceTests
{
    private const string Namespace = "kubemonitor";

    public static TheoryData<string> Targets() => [.. Kustomize.PrometheusSourceTargets];

    private static async Task<Manifests> RenderAsync(string target) => Manifests.Load(await Kustomize.RenderAsync(target));

    [Theory]
    [MemberData(nameof(ManifestTests.Targets), MemberType = typeof(ManifestTests))]
    public async Task Every_rendering_is_listed_by_the_source_its_facade_reads(string target)
    {
        var manifests = await RenderAsync(target);
        var source = ContainerSettings.Facade(manifests.FacadeContainer, "Source") ?? "Memory";
        var listed = Kustomize.PrometheusSourceTargets.Contains(target) ? "Prometheus" : "Memory";
        Assert.Equal(listed, source, ignoreCase: true);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Facade_reads_the_backend_at_an_absolute_url_and_has_no_push_authentication(string target)
    {
        var facade = (await RenderAsync(target)).FacadeContainer;
        Assert.Equal("Prometheus", ContainerSettings.Facade(facade, "Source"));
        var url = ContainerSettings.Facade(facade, "Prometheus:Url");
        Assert.True(Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https", $"Facade:Prometheus:Url '{url}' is not an absolute http or https URL.");
        // Facade:Auth checks pushes, and there are none to check.
        Assert.False(ContainerSettings.AnyFacade(facade, "Auth:"), "The facade still sets Facade:Auth.");
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Exporters_only_serve_metrics_with_no_facade_url_and_no_push_token(string target)
    {
        var manifests = await RenderAsync(target);
        var pod = manifests.Exporter.Spec.Template.Spec;
        var container = manifests.ExporterContainer;
        var options = ManifestTests.ParseExporterArgs(container);
        Assert.Empty(options.FacadeUrls);
        Assert.Null(options.PushTokenFile);

        // No token volume is left, mounted or not: every volume is a mounted host path.
        Assert.All(pod.Volumes, v =>
        {
            Assert.NotNull(v.HostPath);
            Assert.Contains(container.VolumeMounts, m => m.Name == v.Name);
        });
        Assert.All(container.VolumeMounts, m => Assert.Contains(pod.Volumes, v => v.Name == m.Name));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Nothing_refers_to_the_push_port_or_the_push_service(string target)
    {
        var rendered = await Kustomize.RenderAsync(target);
        var manifests = Manifests.Load(rendered);
        var facade = manifests.FacadeContainer;
        var http = ManifestTests.FacadeHttpPort(manifests);

        // The facade listens on the API port alone and keeps no port for pushes.
        Assert.Same(http, Assert.Single(facade.Ports));
        Assert.Null(FacadeListen.Of(facade).PushPort);
        Assert.All(manifests.All<V1Service>(), service =>
        {
            Assert.NotEqual("None", service.Spec.ClusterIP);
            Assert.All(service.Spec.Ports, port => Assert.Equal(http.ContainerPort, ManifestTests.TargetPort(port, facade)));
        });
        // The facade's policy opens the API port and nothing else.
        var policies = manifests.All<V1NetworkPolicy>().ToList();
        var selecting = NetworkPolicies.Selecting(policies, Namespace, manifests.Facade.Spec.Template.Metadata.Labels);
        Assert.NotEmpty(selecting);
        Assert.All(selecting.SelectMany(p => p.Spec.Ingress ?? []), rule =>
            Assert.All(rule.Ports, port => Assert.True(port.Port.Value == http.Name || port.Port.Value == http.ContainerPort.ToString(CultureInfo.InvariantCulture), $"The policy opens port {port.Port.Value}.")));

        // Nor does any other object or argument: the base's push port and Service are named nowhere.
        var base_ = Manifests.Load(await Kustomize.RenderAsync("base"));
        var pushPort = ManifestTests.FacadePorts(base_).Push.ContainerPort.ToString(CultureInfo.InvariantCulture);
        var pushService = Assert.Single(base_.All<V1Service>(), s => s.Spec.ClusterIP == "None").Metadata.Name;
        Assert.DoesNotMatch($@"\b{pushPort}\b", rendered);
        Assert.DoesNotContain(pushService, rendered, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Prometheus_scrapes_the_exporters_often_enough_with_the_prometheus_operator_overlays_objects(string target)
    {
        var manifests = await RenderAsync(target);
        var operatorOverlay = await RenderAsync(Path.Combine("overlays", "prometheus-operator"));

        // Built on that overlay, not copied from it: the same scrape objects and alerts.
        Assert.Equal(Json(operatorOverlay.All<PodMonitor>()), Json(manifests.All<PodMonitor>()));
        Assert.Equal(Json(operatorOverlay.All<ServiceMonitor>()), Json(manifests.All<ServiceMonitor>()));
        Assert.Equal(Json(operatorOverlay.All<PrometheusRule>()), Json(manifests.All<PrometheusRule>()));

        var podMonitor = Assert.Single(manifests.All<PodMonitor>());
        var exporterLabels = manifests.Exporter.Spec.Template.Metadata.Labels;
        ManifestTests.AssertSelects(podMonitor.Spec.Selector.MatchLabels, exporterLabels, "PodMonitor");
        var endpoint = Assert.Single(podMonitor.Spec.PodMetricsEndpoints);
        var metrics = Assert.Single(manifests.ExporterContainer.Ports, p => p.Name == endpoint.Port);
        Assert.Equal("/metrics", endpoint.Path);
        // The facade's rates need two samples close together: docs/install.md asks for 15 s at most.
        Assert.NotNull(endpoint.Interval);
        Assert.True(PrometheusDuration(endpoint.Interval) <= TimeSpan.FromSeconds(15), $"The exporters are scraped every {endpoint.Interval}.");

        // Prometheus, in its own namespace, reaches the exporters' /metrics and the facade's.
        var prometheus = new TrafficSource.Pod("monitoring", new Dictionary<string, string> { ["app.kubernetes.io/name"] = "prometheus" });
        var policies = manifests.All<V1NetworkPolicy>().ToList();
        Assert.True(NetworkPolicies.Admits(policies, Namespace, exporterLabels, metrics, prometheus));
        Assert.True(NetworkPolicies.Admits(policies, Namespace, manifests.Facade.Spec.Template.Metadata.Labels, ManifestTests.FacadeHttpPort(manifests), prometheus));
        // And the facade reaches Prometheus: no policy limits its egress.
        Assert.DoesNotContain(policies, p => p.Spec.PolicyTypes?.Contains("Egress") == true);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Rbac_keeps_only_what_reading_needs(string target)
    {
        var manifests = await RenderAsync(target);
        // Pods of its node, and its own Node's labels (docs/api.md section 6): read only.
        Assert.Equal(["/nodes: list,watch", "/pods: get,list,watch"], Describe(manifests.RulesOf("kubemonitor-exporter", Namespace)));
        // The facade still names the Deployment of a pod through its ReplicaSet; no TokenReviews.
        Assert.Equal(["apps/replicasets: get,list,watch"], Describe(manifests.RulesOf("kubemonitor-facade", Namespace)));
        // No role is left behind unbound, and nothing is namespaced.
        var bound = manifests.All<V1ClusterRoleBinding>().Select(b => b.RoleRef.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(manifests.All<V1ClusterRole>(), role => Assert.Contains(role.Metadata.Name, bound));
        Assert.Equal(bound.Count, manifests.All<V1ClusterRoleBinding>().Count());
        Assert.Empty(manifests.All<V1Role>());
        Assert.Empty(manifests.All<V1RoleBinding>());
        Assert.Empty(manifests.All<V1Secret>());
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Facade_memory_is_below_the_memory_sources_and_is_the_documented_one(string target)
    {
        var resources = (await RenderAsync(target)).FacadeContainer.Resources;
        var baseResources = Manifests.Load(await Kustomize.RenderAsync("base")).FacadeContainer.Resources;
        var request = resources.Requests["memory"];
        var limit = resources.Limits["memory"];
        Assert.True(request.ToInt64() <= limit.ToInt64(), $"Memory request {request} is above the limit {limit}.");
        // Its limit is headroom for heavy answers (136 MiB measured after 10,000-pod rollups), so
        // it stays put while the base follows the store's size: below it, not a fixed share of it.
        Assert.True(limit.ToInt64() < baseResources.Requests["memory"].ToInt64(), $"Memory limit {limit} is not below the base's {baseResources.Requests["memory"]}.");

        var section = Section(File.ReadAllText(SizingTable.DocumentPath), "## Choosing a query source");
        Assert.Contains($"{request} request", section, StringComparison.Ordinal);
        Assert.Contains($"{limit} limit", section, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_documented_backend_examples_render_with_the_settings_they_write()
    {
        var section = Section(File.ReadAllText(SizingTable.DocumentPath), "## Choosing a query source");
        var examples = YamlBlock().Matches(section).Select(m => m.Groups[1].Value)
            .Where(yaml => yaml.Contains("deploy/overlays/prometheus-source", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(examples);
        foreach (var example in examples)
        {
            var written = EnvPair().Matches(example).Select(m => (m.Groups[1].Value, m.Groups[2].Value.Trim())).ToList();
            Assert.Contains(written, pair => pair.Item1 == "Facade__Prometheus__Url");
            var facade = Manifests.Load(await Kustomize.RenderOperatorsKustomizationAsync(example)).FacadeContainer;
            Assert.Equal("Prometheus", ContainerSettings.Facade(facade, "Source"));
            foreach (var (name, value) in written)
            {
                Assert.Equal(value, Assert.Single(facade.Env, e => e.Name == name).Value);
            }
        }
    }

    private static string Json<T>(IEnumerable<T> objects) => KubernetesJson.Serialize(objects.ToList());

    private static List<string> Describe(IEnumerable<V1PolicyRule> rules) =>
        [.. rules.SelectMany(rule => rule.ApiGroups.SelectMany(group => rule.Resources.Select(resource =>
                $"{group}/{resource}: {string.Join(',', rule.Verbs)}")))
            .Order(StringComparer.Ordinal)];

    /// <summary>The text of a "## " section, up to the next one.</summary>
    private static string Section(string markdown, string heading)
    {
        var start = markdown.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/install.md has no '{heading}' section.");
        var end = markdown.IndexOf("\n## ", start + heading.Length + 1, StringComparison.Ordinal);
        return end < 0 ? markdown[start..] : markdown[start..end];
    }

    /// <summary>A Prometheus scrape interval of one unit: 500ms, 15s, 1m, 1h.</summary>
    private static TimeSpan PrometheusDuration(string text)
    {
        var match = Duration().Match(text);
        Assert.True(match.Success, $"'{text}' is not a one-unit Prometheus duration.");
        var value = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(value),
            "s" => TimeSpan.FromSeconds(value),
            "m" => TimeSpan.FromMinutes(value),
            _ => TimeSpan.FromHours(value),
        };
    }

    [GeneratedRegex(@"```yaml\n(.*?)```", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex YamlBlock();

    [GeneratedRegex(@"- name: (Facade__\S+)\n\s*value: (.+)", RegexOptions.CultureInvariant)]
    private static partial Regex EnvPair();

    [GeneratedRegex(@"^(\d+)(ms|s|m|h)$", RegexOptions.CultureInvariant)]
    private static partial Regex Duration();
}

extern alias KubeFull;
using System.Text;
using KubeFull::k8s.Models;
using KubeMonitor.Deploy.Tests.Support;
using KubeMonitor.Exporter.Options;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests;

/// <summary>What must hold in every rendering of deploy/ (issue 3, 1): typed, least privilege, consistent with the programs.</summary>
public sealed class ManifestTests
{
    private const string Namespace = "kubemonitor";

    public static TheoryData<string> Targets() => [.. Kustomize.Targets];

    private static async Task<Manifests> RenderAsync(string target) => Manifests.Load(await Kustomize.RenderAsync(target));

    [Fact]
    public void There_is_a_local_and_a_prometheus_operator_overlay()
    {
        Assert.Contains(Path.Combine("overlays", "local"), Kustomize.Targets);
        Assert.Contains(Path.Combine("overlays", "prometheus-operator"), Kustomize.Targets);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Every_rendered_object_loads_typed_and_namespaced_ones_are_in_kubemonitor(string target)
    {
        var manifests = await RenderAsync(target);
        Assert.Contains(manifests.Objects, o => o is V1Namespace { Metadata.Name: Namespace });
        var clusterScoped = new[] { typeof(V1Namespace), typeof(V1ClusterRole), typeof(V1ClusterRoleBinding) };
        foreach (var o in manifests.Objects.Where(o => !clusterScoped.Contains(o.GetType())))
        {
            Assert.True(o.Metadata.NamespaceProperty == Namespace, $"{o.Kind} {o.Metadata.Name} is in '{o.Metadata.NamespaceProperty}'.");
        }
        Assert.Equal(
            ["v1/ServiceAccount kubemonitor-exporter", "v1/ServiceAccount kubemonitor-facade"],
            manifests.All<V1ServiceAccount>().Select(s => $"v1/ServiceAccount {s.Metadata.Name}").Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Exporter_runs_with_least_privilege_on_every_node(string target)
    {
        var manifests = await RenderAsync(target);
        var pod = manifests.Exporter.Spec.Template.Spec;
        var container = manifests.ExporterContainer;

        // hostPID: cgroup.procs holds host pids. No host network, no other host namespace.
        Assert.True(pod.HostPID);
        Assert.NotEqual(true, pod.HostNetwork);
        Assert.NotEqual(true, pod.HostIPC);
        Assert.Equal("kubemonitor-exporter", pod.ServiceAccountName);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal(65534, pod.SecurityContext.RunAsUser);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        AssertLockedDown(container.SecurityContext);

        // Tolerates every taint: one exporter per node.
        var toleration = Assert.Single(pod.Tolerations);
        Assert.Equal("Exists", toleration.OperatorProperty);
        Assert.Null(toleration.Key);
        Assert.Null(toleration.Effect);

        // Host /proc and /sys read-only at /host/proc and /host/sys; every mount read-only.
        Assert.All(container.VolumeMounts, m => Assert.True(m.ReadOnlyProperty, $"{m.Name} is writable."));
        Assert.Equal("/proc", HostPathOf(pod, container, "/host/proc"));
        Assert.Equal("/sys", HostPathOf(pod, container, "/host/sys"));
        Assert.Equal(2, pod.Volumes.Count(v => v.HostPath is not null));

        AssertRequestsAndLimits(container);
        var nodeName = Assert.Single(container.Env, e => e.Name == "NODE_NAME");
        Assert.Equal("spec.nodeName", nodeName.ValueFrom.FieldRef.FieldPath);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Exporter_args_parse_with_the_exporters_own_parser_and_match_ports_mounts_and_services(string target)
    {
        var manifests = await RenderAsync(target);
        var pod = manifests.Exporter.Spec.Template.Spec;
        var container = manifests.ExporterContainer;
        Assert.Null(container.Command); // the image's entrypoint (exporter/Dockerfile)

        var parsed = ExporterOptions.Parse(container.Args.ToList(), name => name == "NODE_NAME" ? "node-a" : null);
        Assert.Empty(parsed.Errors);
        Assert.Null(parsed.HelpText);
        var options = parsed.Options!;
        Assert.Equal("node-a", options.NodeName); // from the NODE_NAME the downward API sets

        var metricsPort = Assert.Single(container.Ports);
        Assert.Equal(options.Listen.Port, metricsPort.ContainerPort);
        Assert.Equal("0.0.0.0", options.Listen.Address.ToString());
        Assert.Equal("/host/proc", options.ProcRoot);
        Assert.Equal("/host/sys", options.SysRoot);
        Assert.Null(options.Kubeconfig); // in-cluster ServiceAccount

        // Probes on the paths ExporterApp maps, on the port it listens on.
        AssertProbe(container.LivenessProbe, "/livez", container, options.Listen.Port);
        AssertProbe(container.ReadinessProbe, "/readyz", container, options.Listen.Port);

        // Push: to the headless Service (every facade pod), on the port the facade pods serve.
        var url = Assert.Single(options.FacadeUrls);
        var headless = Assert.Single(manifests.All<V1Service>(), s => s.Spec.ClusterIP == "None");
        Assert.Equal($"{headless.Metadata.Name}.{Namespace}.svc", url.Host);
        var servicePort = Assert.Single(headless.Spec.Ports);
        Assert.Equal(servicePort.Port, url.Port);
        Assert.Equal(FacadePort(manifests), TargetPort(servicePort, manifests.FacadeContainer));

        // The push token file lies in a mounted volume.
        Assert.NotNull(options.PushTokenFile);
        var tokenMount = Assert.Single(container.VolumeMounts, m => options.PushTokenFile!.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
        Assert.Contains(pod.Volumes, v => v.Name == tokenMount.Name);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Facade_runs_non_root_read_only_with_probes_and_a_disruption_budget(string target)
    {
        var manifests = await RenderAsync(target);
        var pod = manifests.Facade.Spec.Template.Spec;
        var container = manifests.FacadeContainer;

        Assert.Equal("kubemonitor-facade", pod.ServiceAccountName);
        Assert.NotEqual(true, pod.HostPID);
        Assert.NotEqual(true, pod.HostNetwork);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal(1654, pod.SecurityContext.RunAsUser);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        AssertLockedDown(container.SecurityContext);
        Assert.DoesNotContain(pod.Volumes, v => v.HostPath is not null);
        var tmp = Assert.Single(container.VolumeMounts, m => m.MountPath == "/tmp");
        Assert.NotNull(Assert.Single(pod.Volumes, v => v.Name == tmp.Name).EmptyDir);
        AssertRequestsAndLimits(container);

        var port = FacadePort(manifests);
        AssertProbe(container.LivenessProbe, "/livez", container, port);
        AssertProbe(container.ReadinessProbe, "/readyz", container, port);

        Assert.True(manifests.Facade.Spec.Replicas >= 2, "Push fans out to every replica; one replica makes the PDB block every drain.");
        var pdb = Assert.Single(manifests.All<V1PodDisruptionBudget>());
        Assert.Equal("1", pdb.Spec.MinAvailable.Value);
        AssertSelects(pdb.Spec.Selector.MatchLabels, manifests.Facade.Spec.Template.Metadata.Labels, "PodDisruptionBudget");
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Rbac_gives_exactly_the_verbs_each_program_needs(string target)
    {
        var manifests = await RenderAsync(target);
        Assert.Equal(["/pods: get,list,watch"], Describe(manifests.RulesOf("kubemonitor-exporter", Namespace)));
        // Base and overlays run TokenReview push auth: the facade may create TokenReviews.
        Assert.Equal(
            ["apps/replicasets: get,list,watch", "authentication.k8s.io/tokenreviews: create"],
            Describe(manifests.RulesOf("kubemonitor-facade", Namespace)));
        Assert.Equal("TokenReview", EnvOf(manifests.FacadeContainer, "Facade__Auth__Mode"));
        Assert.Empty(manifests.All<V1Role>());
        Assert.Empty(manifests.All<V1RoleBinding>());
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Services_select_the_facade_pods_and_the_nodeport_is_30080(string target)
    {
        var manifests = await RenderAsync(target);
        var podLabels = manifests.Facade.Spec.Template.Metadata.Labels;
        AssertSelects(manifests.Facade.Spec.Selector.MatchLabels, podLabels, "Deployment");
        AssertSelects(manifests.Exporter.Spec.Selector.MatchLabels, manifests.Exporter.Spec.Template.Metadata.Labels, "DaemonSet");

        var services = manifests.All<V1Service>().ToList();
        Assert.Equal(3, services.Count);
        foreach (var service in services)
        {
            AssertSelects(service.Spec.Selector, podLabels, $"Service {service.Metadata.Name}");
            var port = Assert.Single(service.Spec.Ports);
            Assert.Equal(FacadePort(manifests), TargetPort(port, manifests.FacadeContainer));
        }
        Assert.Single(services, s => s.Spec.Type is null or "ClusterIP" && s.Spec.ClusterIP is null);
        Assert.Single(services, s => s.Spec.ClusterIP == "None");
        var nodePort = Assert.Single(services, s => s.Spec.Type == "NodePort");
        Assert.Equal(30080, Assert.Single(nodePort.Spec.Ports).NodePort);
    }

    [Fact]
    public async Task Local_overlay_uses_locally_loaded_images()
    {
        var manifests = await RenderAsync(Path.Combine("overlays", "local"));
        foreach (var container in new[] { manifests.ExporterContainer, manifests.FacadeContainer })
        {
            Assert.Equal("IfNotPresent", container.ImagePullPolicy);
            Assert.EndsWith(":dev", container.Image, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Prometheus_operator_overlay_scrapes_both_programs_and_carries_the_alerts_and_dashboard()
    {
        var manifests = await RenderAsync(Path.Combine("overlays", "prometheus-operator"));

        var podMonitor = Assert.Single(manifests.All<PodMonitor>());
        AssertSelects(podMonitor.Spec.Selector.MatchLabels, manifests.Exporter.Spec.Template.Metadata.Labels, "PodMonitor");
        var podEndpoint = Assert.Single(podMonitor.Spec.PodMetricsEndpoints);
        Assert.Equal("/metrics", podEndpoint.Path);
        Assert.Contains(manifests.ExporterContainer.Ports, p => p.Name == podEndpoint.Port);
        // job="kubemonitor-exporter", as the alerts expect.
        Assert.Equal("kubemonitor-exporter", manifests.Exporter.Spec.Template.Metadata.Labels[podMonitor.Spec.JobLabel!]);
        Assert.Contains(podEndpoint.Relabelings!, r => r.TargetLabel == "node" && r.SourceLabels!.SequenceEqual(["__meta_kubernetes_pod_node_name"]));

        var serviceMonitor = Assert.Single(manifests.All<ServiceMonitor>());
        var scraped = Assert.Single(manifests.All<V1Service>(), s => Selects(serviceMonitor.Spec.Selector.MatchLabels, s.Metadata.Labels));
        var serviceEndpoint = Assert.Single(serviceMonitor.Spec.Endpoints);
        Assert.Equal("/metrics", serviceEndpoint.Path);
        Assert.Contains(scraped.Spec.Ports, p => p.Name == serviceEndpoint.Port);
        Assert.Equal("kubemonitor-facade", scraped.Metadata.Labels[serviceMonitor.Spec.JobLabel!]);

        var rule = Assert.Single(manifests.All<PrometheusRule>());
        var file = AlertFiles.Rules();
        Assert.Equal(AlertFiles.Canonical(file.Groups), AlertFiles.Canonical(rule.Spec.Groups));

        var dashboard = Assert.Single(manifests.All<V1ConfigMap>(), c => c.Metadata.Labels is { } labels && labels.TryGetValue("grafana_dashboard", out var flag) && flag == "1");
        Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "grafana", "dashboards", "kubemonitor.json")), Assert.Single(dashboard.Data).Value);
    }

    private static void AssertLockedDown(V1SecurityContext context)
    {
        Assert.True(context.RunAsNonRoot);
        Assert.False(context.Privileged);
        Assert.False(context.AllowPrivilegeEscalation);
        Assert.True(context.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], context.Capabilities.Drop);
        Assert.Null(context.Capabilities.Add);
        Assert.Equal("RuntimeDefault", context.SeccompProfile.Type);
    }

    private static void AssertRequestsAndLimits(V1Container container)
    {
        foreach (var resource in new[] { "cpu", "memory" })
        {
            Assert.True(container.Resources.Requests.ContainsKey(resource), $"{container.Name} requests no {resource}.");
            Assert.True(container.Resources.Limits.ContainsKey(resource), $"{container.Name} has no {resource} limit.");
        }
    }

    private static void AssertProbe(V1Probe probe, string path, V1Container container, int port)
    {
        Assert.NotNull(probe);
        Assert.Equal(path, probe.HttpGet.Path);
        Assert.Equal(port, ResolvePort(probe.HttpGet.Port, container));
    }

    private static int ResolvePort(IntOrString port, V1Container container) =>
        int.TryParse(port.Value, out var number) ? number : Assert.Single(container.Ports, p => p.Name == port.Value).ContainerPort;

    private static int TargetPort(V1ServicePort port, V1Container container) =>
        port.TargetPort is null ? port.Port : ResolvePort(port.TargetPort, container);

    /// <summary>The port the facade serves on, from its --urls argument; the container declares it.</summary>
    private static int FacadePort(Manifests manifests)
    {
        var container = manifests.FacadeContainer;
        var args = container.Args.ToList();
        var urls = args[args.IndexOf("--urls") + 1];
        var port = new Uri(urls.Replace("+", "0.0.0.0", StringComparison.Ordinal)).Port;
        Assert.Equal(port, Assert.Single(container.Ports).ContainerPort);
        return port;
    }

    private static string HostPathOf(V1PodSpec pod, V1Container container, string mountPath)
    {
        var mount = Assert.Single(container.VolumeMounts, m => m.MountPath == mountPath);
        return Assert.Single(pod.Volumes, v => v.Name == mount.Name).HostPath.Path;
    }

    internal static string? EnvOf(V1Container container, string name) => container.Env?.SingleOrDefault(e => e.Name == name)?.Value;

    private static List<string> Describe(IEnumerable<V1PolicyRule> rules) =>
        [.. rules.SelectMany(rule => rule.ApiGroups.SelectMany(group => rule.Resources.Select(resource =>
                $"{group}/{resource}: {string.Join(',', rule.Verbs)}")))
            .Order(StringComparer.Ordinal)];

    private static void AssertSelects(IDictionary<string, string> selector, IDictionary<string, string> labels, string what)
    {
        Assert.True(selector.ContainsKey("app.kubernetes.io/name") && selector.ContainsKey("app.kubernetes.io/instance"), $"{what} does not select on name and instance.");
        Assert.True(Selects(selector, labels), $"{what} selector {Show(selector)} does not match the pod labels {Show(labels)}.");
    }

    private static bool Selects(IDictionary<string, string> selector, IDictionary<string, string>? labels) =>
        selector.Count > 0 && labels is not null && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    private static string Show(IDictionary<string, string> labels) =>
        new StringBuilder().AppendJoin(',', labels.Select(p => $"{p.Key}={p.Value}")).ToString();
}

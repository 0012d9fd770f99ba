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

    /// <summary>"nobody", shared by every workload that does not pick a user of its own.</summary>
    private const long Nobody = 65534;

    public static TheoryData<string> Targets() => [.. Kustomize.Targets];

    /// <summary>The renderings with a push path (the facade's own store); the others are checked by <see cref="PrometheusSourceTests"/>.</summary>
    public static TheoryData<string> PushTargets() => [.. Kustomize.PushTargets];

    /// <summary>The renderings whose pushes the facade checks by TokenReview; the shared-token ones are checked by <see cref="PushAuthTests"/>.</summary>
    public static TheoryData<string> TokenReviewTargets() => [.. Kustomize.TokenReviewTargets];

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
        var clusterScoped = new[] { typeof(V1Namespace), typeof(V1ClusterRole), typeof(V1ClusterRoleBinding), typeof(V1APIService) };
        foreach (var o in manifests.Objects.Where(o => !clusterScoped.Contains(o.GetType()) && !MetricsApiManifestTests.IsAuthReaderBinding(o)))
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
    public async Task Exporter_runs_as_a_uid_and_gid_of_its_own_the_same_as_its_image(string target)
    {
        var manifests = await RenderAsync(target);
        var exporter = manifests.Exporter.Spec.Template.Spec.SecurityContext;
        var facade = manifests.Facade.Spec.Template.Spec.SecurityContext;

        // In the host pid namespace, processes sharing the exporter's uid could signal it or read
        // it through /proc, and it them: not nobody, not the facade's, clear of host accounts.
        Assert.NotNull(exporter.RunAsUser);
        Assert.NotNull(exporter.RunAsGroup);
        Assert.NotEqual(Nobody, exporter.RunAsUser);
        Assert.NotEqual(Nobody, exporter.RunAsGroup);
        Assert.True(exporter.RunAsUser >= 10000, $"uid {exporter.RunAsUser} is in the range of host accounts.");
        Assert.True(exporter.RunAsGroup >= 10000, $"gid {exporter.RunAsGroup} is in the range of host groups.");
        Assert.NotEqual(facade.RunAsUser, exporter.RunAsUser);
        Assert.NotEqual(facade.RunAsGroup, exporter.RunAsGroup);
        // The projected push token (mode 0440) is readable through the pod's own group.
        Assert.Equal(exporter.RunAsGroup, exporter.FsGroup);

        var image = Dockerfile.Read(PublishedImages.DockerfileOf("exporter"));
        Assert.Equal(exporter.RunAsUser, image.Uid);
        Assert.Equal(exporter.RunAsGroup, image.Gid);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Exporter_args_parse_with_the_exporters_own_parser_and_match_ports_and_probes(string target)
    {
        var manifests = await RenderAsync(target);
        var container = manifests.ExporterContainer;
        Assert.Null(container.Command); // the image's entrypoint (exporter/Dockerfile)

        var options = ParseExporterArgs(container);
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
    }

    [Theory]
    [MemberData(nameof(PushTargets))]
    public async Task Exporter_pushes_to_every_facade_pod_on_the_push_port_with_a_mounted_token(string target)
    {
        var manifests = await RenderAsync(target);
        var pod = manifests.Exporter.Spec.Template.Spec;
        var container = manifests.ExporterContainer;
        var options = ParseExporterArgs(container);

        // The headless Service (every facade pod), on the facade's push port. A headless name
        // resolves to the pods' own addresses, so the URL's port is dialled on each pod as is.
        var url = Assert.Single(options.FacadeUrls);
        var headless = Assert.Single(manifests.All<V1Service>(), s => s.Spec.ClusterIP == "None");
        Assert.Equal((headless.Metadata.Name, Namespace), ServiceDns.Resolve(url.Host, manifests.Exporter.Metadata.NamespaceProperty));
        var servicePort = Assert.Single(headless.Spec.Ports);
        var push = FacadePorts(manifests).Push.ContainerPort;
        Assert.Equal(push, url.Port);
        Assert.Equal(push, servicePort.Port);
        Assert.Equal(push, TargetPort(servicePort, manifests.FacadeContainer));

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
        var image = Dockerfile.Read(PublishedImages.DockerfileOf("facade"));
        Assert.Equal(image.Uid, pod.SecurityContext.RunAsUser);
        Assert.Equal(image.Gid, pod.SecurityContext.RunAsGroup);
        Assert.NotEqual(Nobody, pod.SecurityContext.RunAsUser);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        AssertLockedDown(container.SecurityContext);
        Assert.DoesNotContain(pod.Volumes, v => v.HostPath is not null);
        var tmp = Assert.Single(container.VolumeMounts, m => m.MountPath == "/tmp");
        Assert.NotNull(Assert.Single(pod.Volumes, v => v.Name == tmp.Name).EmptyDir);
        AssertRequestsAndLimits(container);

        var port = FacadeHttpPort(manifests).ContainerPort;
        AssertProbe(container.LivenessProbe, "/livez", container, port);
        AssertProbe(container.ReadinessProbe, "/readyz", container, port);

        Assert.True(manifests.Facade.Spec.Replicas >= 2, "With one replica the disruption budget (minAvailable 1) blocks every drain.");
        var pdb = Assert.Single(manifests.All<V1PodDisruptionBudget>());
        Assert.Equal("1", pdb.Spec.MinAvailable.Value);
        AssertSelects(pdb.Spec.Selector.MatchLabels, manifests.Facade.Spec.Template.Metadata.Labels, "PodDisruptionBudget");
    }

    [Theory]
    [MemberData(nameof(TokenReviewTargets))]
    public async Task Rbac_gives_exactly_the_verbs_each_program_needs(string target)
    {
        var manifests = await RenderAsync(target);
        // Pods of its node, and its own Node's labels (docs/api.md section 6): read only.
        Assert.Equal(["/nodes: list,watch", "/pods: get,list,watch"], Describe(manifests.RulesOf("kubemonitor-exporter", Namespace)));
        // Base and overlays run TokenReview push auth: the facade may create TokenReviews. Serving
        // metrics.k8s.io adds what an aggregated API server needs (MetricsApiManifestTests).
        var metricsApi = Kustomize.MetricsApiTargets.Contains(target);
        List<string> facadeRights =
        [
            "apps/replicasets: get,list,watch",
            "authentication.k8s.io/tokenreviews: create",
            .. metricsApi ? MetricsApiManifestTests.AggregatedServerRights : [],
        ];
        Assert.Equal(facadeRights.Distinct().Order(StringComparer.Ordinal), Describe(manifests.RulesOf("kubemonitor-facade", Namespace)));
        Assert.Equal("TokenReview", EnvOf(manifests.FacadeContainer, "Facade__Auth__Mode"));
        Assert.Empty(manifests.All<V1Role>());
        Assert.Equal(metricsApi ? 1 : 0, manifests.All<V1RoleBinding>().Count());
        Assert.All(manifests.All<V1RoleBinding>(), b => Assert.True(MetricsApiManifestTests.IsAuthReaderBinding(b), $"RoleBinding {b.Metadata.Name}"));
    }

    [Theory]
    [MemberData(nameof(PushTargets))]
    public async Task Services_select_the_facade_pods_and_the_nodeport_is_30080(string target)
    {
        var manifests = await RenderAsync(target);
        var podLabels = manifests.Facade.Spec.Template.Metadata.Labels;
        AssertSelects(manifests.Facade.Spec.Selector.MatchLabels, podLabels, "Deployment");
        AssertSelects(manifests.Exporter.Spec.Selector.MatchLabels, manifests.Exporter.Spec.Template.Metadata.Labels, "DaemonSet");

        var services = manifests.All<V1Service>().ToList();
        Assert.Equal(3, services.Count);
        var (http, push) = FacadePorts(manifests);
        foreach (var service in services)
        {
            AssertSelects(service.Spec.Selector, podLabels, $"Service {service.Metadata.Name}");
            // The headless one carries pushes (to the pods' addresses, no port translation); the others reads.
            var expected = service.Spec.ClusterIP == "None" ? push : http;
            var port = Assert.Single(service.Spec.Ports, p => p.Name == expected.Name);
            Assert.Equal(expected.ContainerPort, TargetPort(port, manifests.FacadeContainer));
            // Besides: the ClusterIP Service's 443 to the metrics API listener, in its overlay only.
            var others = service.Spec.Ports.Where(p => p != port).ToList();
            if (others.Count == 0) continue;
            Assert.True(Kustomize.MetricsApiTargets.Contains(target) && service.Spec.Type is null or "ClusterIP" && service.Spec.ClusterIP is null,
                $"Service {service.Metadata.Name} has ports {string.Join(", ", others.Select(p => p.Name))}.");
            Assert.Equal(FacadeListen.Of(manifests.FacadeContainer).MetricsApiPort, TargetPort(Assert.Single(others), manifests.FacadeContainer));
        }
        Assert.Single(services, s => s.Spec.Type is null or "ClusterIP" && s.Spec.ClusterIP is null);
        Assert.Single(services, s => s.Spec.ClusterIP == "None");
        var nodePort = Assert.Single(services, s => s.Spec.Type == "NodePort");
        Assert.Equal(30080, Assert.Single(nodePort.Spec.Ports).NodePort);
    }

    [Theory]
    [MemberData(nameof(PushTargets))]
    public async Task Network_policy_lets_only_the_exporters_push_and_anyone_read(string target)
    {
        var manifests = await RenderAsync(target);
        var policies = manifests.All<V1NetworkPolicy>().ToList();
        var facadeLabels = manifests.Facade.Spec.Template.Metadata.Labels;
        var exporterLabels = manifests.Exporter.Spec.Template.Metadata.Labels;
        var (http, push) = FacadePorts(manifests);

        var policy = Assert.Single(NetworkPolicies.Selecting(policies, Namespace, facadeLabels));
        Assert.Contains("Ingress", policy.Spec.PolicyTypes);
        // On the host network the exporters' pushes would come from node addresses, which no podSelector matches.
        Assert.NotEqual(true, manifests.Exporter.Spec.Template.Spec.HostNetwork);

        var exporter = new TrafficSource.Pod(Namespace, exporterLabels);
        TrafficSource[] others =
        [
            new TrafficSource.Pod("default", new Dictionary<string, string> { ["app"] = "curl" }),
            new TrafficSource.Pod(Namespace, new Dictionary<string, string> { ["app"] = "curl" }),
            new TrafficSource.Pod(Namespace, facadeLabels),
            new TrafficSource.Pod("other", exporterLabels),
            new TrafficSource.Outside(),
        ];
        bool Admits(V1ContainerPort port, TrafficSource source) => NetworkPolicies.Admits(policies, Namespace, facadeLabels, port, source);

        Assert.True(Admits(push, exporter), "The exporter pods cannot reach the push port.");
        foreach (var source in others)
        {
            Assert.False(Admits(push, source), $"The push port is open to {Describe(source)}.");
        }
        foreach (var source in others.Append(exporter))
        {
            Assert.True(Admits(http, source), $"The API port is closed to {Describe(source)}.");
        }
        // The metrics API listener: the API server's aggregator dials it from the control plane.
        if (manifests.FacadeContainer.Ports.SingleOrDefault(p => p.Name == MetricsApiManifestTests.PortName) is { } https)
        {
            Assert.True(Admits(https, new TrafficSource.Outside()), "The metrics API port is closed to the API server.");
        }
        // Only pod selectors of this namespace open the push port: an address block may hold any pod's address.
        Assert.All(NetworkPolicies.RulesFor([policy], push), rule =>
        {
            Assert.NotEmpty(rule.FromProperty);
            Assert.All(rule.FromProperty, peer =>
            {
                Assert.Null(peer.IpBlock);
                Assert.Null(peer.NamespaceSelector);
                Assert.NotNull(peer.PodSelector);
            });
        });
    }

    [Theory]
    [MemberData(nameof(TokenReviewTargets))]
    public async Task Push_token_is_a_projected_pod_bound_token_for_the_facades_audience_and_no_secret(string target)
    {
        var manifests = await RenderAsync(target);
        var facade = manifests.FacadeContainer;
        var pod = manifests.Exporter.Spec.Template.Spec;
        Assert.Equal("TokenReview", EnvOf(facade, "Facade__Auth__Mode"));
        Assert.Equal($"system:serviceaccount:{Namespace}:{pod.ServiceAccountName}", PodEnvironment.Of(Namespace, facade).Variables["Facade__Auth__ServiceAccount"]);

        // A projected token is bound to its pod, and on Kubernetes 1.30+ names the pod's node
        // (TokenReview extra authentication.kubernetes.io/node-name), which the facade checks pushes against.
        var volume = PushAuthTests.TokenVolume(pod, manifests.ExporterContainer, out var fileName);
        Assert.Null(volume.Secret);
        var token = Assert.Single(volume.Projected.Sources).ServiceAccountToken;
        Assert.NotNull(token);
        Assert.Equal(fileName, token.Path);
        Assert.Equal(EnvOf(facade, "Facade__Auth__Audience"), token.Audience);
        // The API server takes 10 minutes at least; an hour bounds how long a copied token works.
        Assert.NotNull(token.ExpirationSeconds);
        Assert.InRange(token.ExpirationSeconds.Value, 600, 3600);

        // No long-lived token anywhere: no Secret, no Secret volume or variable, no ServiceAccount token Secret.
        Assert.Empty(manifests.All<V1Secret>());
        foreach (var spec in new[] { pod, manifests.Facade.Spec.Template.Spec })
        {
            Assert.DoesNotContain(spec.Volumes ?? [], v => v.Secret is not null || (v.Projected?.Sources ?? []).Any(s => s.Secret is not null));
            Assert.DoesNotContain(spec.Containers.SelectMany(c => c.Env ?? []), e => e.ValueFrom?.SecretKeyRef is not null);
            Assert.DoesNotContain(spec.Containers.SelectMany(c => c.EnvFrom ?? []), e => e.SecretRef is not null);
        }
        Assert.All(manifests.All<V1ServiceAccount>(), account => Assert.Empty(account.Secrets ?? []));
    }

    [Theory]
    [MemberData(nameof(PushTargets))]
    public async Task Facade_memory_is_the_sizing_row_documented_for_the_rendering(string target)
    {
        var manifests = await RenderAsync(target);
        var rows = SizingTable.Read();
        // An overlay without a row of its own keeps the base's size.
        var row = rows.SingleOrDefault(r => r.UsedBy.Contains("deploy/" + target.Replace('\\', '/')))
            ?? Assert.Single(rows, r => r.UsedBy.Contains("deploy/base"));

        var resources = manifests.FacadeContainer.Resources;
        Assert.Equal(row.MemoryMiB << 20, resources.Limits["memory"].ToInt64());
        Assert.Equal(row.MemoryMiB << 20, resources.Requests["memory"].ToInt64());
        // The row's retention is the one the rendering runs with.
        Assert.Equal(Retention(row.Retention), EffectiveRetention(manifests.FacadeContainer));
    }

    [Fact]
    public void Base_says_which_cluster_size_it_is_sized_for()
    {
        var row = Assert.Single(SizingTable.Read(), r => r.UsedBy.Contains("deploy/base"));
        var deployment = File.ReadAllText(Path.Combine(Kustomize.Deploy, "base", "facade-deployment.yaml"));
        Assert.Contains($"{row.Nodes} nodes, {row.Pods} pods", deployment, StringComparison.Ordinal);
    }

    [Fact]
    public void Sizing_rows_set_a_quarter_above_the_peak_rounded_up_to_64_MiB()
    {
        foreach (var row in SizingTable.Read())
        {
            Assert.Equal((long)Math.Ceiling(row.PeakRssMiB * 1.25 / 64) * 64, row.MemoryMiB);
            Assert.True(row.Source is "measured" or "extrapolated", $"Row of {row.Nodes} nodes: source '{row.Source}' is neither measured nor extrapolated.");
        }
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
        var scrapedPort = Assert.Single(scraped.Spec.Ports, p => p.Name == serviceEndpoint.Port);
        Assert.Equal("kubemonitor-facade", scraped.Metadata.Labels[serviceMonitor.Spec.JobLabel!]);
        // /metrics is served on the API port, which the NetworkPolicy opens to a Prometheus in any namespace.
        var http = FacadePorts(manifests).Http;
        Assert.Equal(http.ContainerPort, TargetPort(scrapedPort, manifests.FacadeContainer));
        var prometheus = new TrafficSource.Pod("monitoring", new Dictionary<string, string> { ["app.kubernetes.io/name"] = "prometheus" });
        Assert.True(NetworkPolicies.Admits(manifests.All<V1NetworkPolicy>(), Namespace, manifests.Facade.Spec.Template.Metadata.Labels, http, prometheus));

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

    internal static int ResolvePort(IntOrString port, V1Container container) =>
        int.TryParse(port.Value, out var number) ? number : Assert.Single(container.Ports, p => p.Name == port.Value).ContainerPort;

    internal static int TargetPort(V1ServicePort port, V1Container container) =>
        port.TargetPort is null ? port.Port : ResolvePort(port.TargetPort, container);

    internal static ExporterOptions ParseExporterArgs(V1Container container)
    {
        var parsed = ExporterOptions.Parse(container.Args.ToList(), name => name == "NODE_NAME" ? "node-a" : null);
        Assert.Empty(parsed.Errors);
        Assert.Null(parsed.HelpText);
        return parsed.Options!;
    }

    /// <summary>The facade's <c>http</c> port (API, probes, /metrics). It listens on exactly the ports it declares.</summary>
    internal static V1ContainerPort FacadeHttpPort(Manifests manifests)
    {
        var container = manifests.FacadeContainer;
        Assert.Equal(container.Ports.Select(p => p.ContainerPort).Order(), FacadeListen.Of(container).Ports.Order());
        return Assert.Single(container.Ports, p => p.Name == "http");
    }

    /// <summary>
    /// The facade's two ports: <c>http</c> (API, probes, /metrics) and <c>push</c>, the one
    /// Facade:PushPort keeps pushes to. It listens on exactly the ports it declares.
    /// </summary>
    internal static (V1ContainerPort Http, V1ContainerPort Push) FacadePorts(Manifests manifests)
    {
        var http = FacadeHttpPort(manifests);
        var push = Assert.Single(manifests.FacadeContainer.Ports, p => p.Name == "push");
        Assert.Equal(push.ContainerPort, FacadeListen.Of(manifests.FacadeContainer).PushPort);
        return (http, push);
    }

    /// <summary>"1 h", "15 min": the retention column of the sizing table.</summary>
    private static TimeSpan Retention(string text) => text.Split(' ') switch
    {
        [var hours, "h"] => TimeSpan.FromHours(int.Parse(hours, System.Globalization.CultureInfo.InvariantCulture)),
        [var minutes, "min"] => TimeSpan.FromMinutes(int.Parse(minutes, System.Globalization.CultureInfo.InvariantCulture)),
        _ => throw new FormatException($"Retention '{text}' is neither 'N h' nor 'N min'."),
    };

    /// <summary>The facade's Facade:Retention as rendered, else its default (the settings table of facade/README.md).</summary>
    private static TimeSpan EffectiveRetention(V1Container facade)
    {
        var args = facade.Args.ToList();
        var index = args.IndexOf("--Facade:Retention");
        var set = index >= 0 ? args[index + 1] : EnvOf(facade, "Facade__Retention");
        if (set is not null) return TimeSpan.Parse(set, System.Globalization.CultureInfo.InvariantCulture);
        var readme = File.ReadAllLines(Path.Combine(RepoPaths.Root, "facade", "README.md"));
        var line = Assert.Single(readme, l => l.StartsWith("| `Retention` |", StringComparison.Ordinal));
        return TimeSpan.Parse(line.Split('|')[2].Trim().Trim('`'), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Describe(TrafficSource source) => source switch
    {
        TrafficSource.Pod pod => $"a pod in {pod.Namespace} labelled {Show(pod.Labels)}",
        _ => "sources outside the pod network",
    };

    private static string HostPathOf(V1PodSpec pod, V1Container container, string mountPath)
    {
        var mount = Assert.Single(container.VolumeMounts, m => m.MountPath == mountPath);
        return Assert.Single(pod.Volumes, v => v.Name == mount.Name).HostPath.Path;
    }

    internal static string? EnvOf(V1Container container, string name) => container.Env?.SingleOrDefault(e => e.Name == name)?.Value;

    /// <summary>"group/resource: verbs", with the names a rule is held to; a right granted twice counts once.</summary>
    internal static List<string> Describe(IEnumerable<V1PolicyRule> rules) =>
        [.. rules.SelectMany(rule => rule.ApiGroups.SelectMany(group => rule.Resources.Select(resource =>
                $"{group}/{resource}{Names(rule)}: {string.Join(',', rule.Verbs)}")))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];

    private static string Names(V1PolicyRule rule) => rule.ResourceNames is { Count: > 0 } names ? $" [{string.Join(',', names)}]" : "";

    internal static void AssertSelects(IDictionary<string, string> selector, IDictionary<string, string> labels, string what)
    {
        Assert.True(selector.ContainsKey("app.kubernetes.io/name") && selector.ContainsKey("app.kubernetes.io/instance"), $"{what} does not select on name and instance.");
        Assert.True(Selects(selector, labels), $"{what} selector {Show(selector)} does not match the pod labels {Show(labels)}.");
    }

    private static bool Selects(IDictionary<string, string> selector, IDictionary<string, string>? labels) =>
        selector.Count > 0 && labels is not null && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    private static string Show(IDictionary<string, string> labels) =>
        new StringBuilder().AppendJoin(',', labels.Select(p => $"{p.Key}={p.Value}")).ToString();
}

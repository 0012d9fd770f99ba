using KubeMonitor.TestSupport;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using KubeMonitor.Exporter.Cgroups;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Tests.Cgroups;
using KubeMonitor.Exporter.Tests.Kubernetes;
using KubeMonitor.Exporter.Tests.Support;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>
/// The whole pipeline on this host, as the images would run it: the published exporter (a real
/// process, 1 s interval, as the DaemonSet's non-root user without capabilities) reading this machine's /proc and cgroups, with two pods of a Deployment
/// "web" in namespace "shop" made as real cgroups under load (one CPU-limited and throttled, one
/// doing direct disk I/O); a fake Kubernetes API naming those pods; the published facade; both
/// configured for push auth exactly as the token-auth rendering hands out the credential; and a
/// real Prometheus 2.42 scraping both every second with the job names the alerts and dashboard use.
/// </summary>
public sealed class LivePipeline : IAsyncLifetime
{
    public const string NodeName = "kubemonitor-live";
    public const string Namespace = "shop";
    public const string Deployment = "web";
    private const string ReplicaSet = "web-5d8f7c9b4";

    private readonly string _root = Directory.CreateTempSubdirectory("kubemonitor-live-").FullName;
    private readonly List<IDisposable> _owned = [];

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };
    public Uri ExporterUrl { get; private set; } = null!;
    public Uri FacadeUrl { get; private set; } = null!;
    public Uri PrometheusUrl { get; private set; } = null!;
    public IReadOnlyList<string> PodNames { get; } = [$"{ReplicaSet}-x7k2p", $"{ReplicaSet}-q9m4z"];
    internal PushAuthTests.TokenSettings Credential { get; private set; } = null!;
    internal Manifests Rendered { get; private set; } = null!;
    private readonly List<RunningProcess> _processes = [];

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        var published = await PublishedImages.GetAsync();
        Rendered = Manifests.Load(await Kustomize.RenderWithTokenAsync(PushAuthTests.TestToken));
        Credential = PushAuthTests.TokenSettings.From(Rendered);

        // The Secret as the kubelet would mount it for each program (the mount paths moved under a temp folder).
        var exporterToken = Mounted(Credential.ExporterTokenFile, "exporter");
        var facadeToken = Mounted(Credential.FacadeTokenFile, "facade");

        var layout = CgroupLayoutDetector.Detect(HostRoot.Create());
        var pods = new[] { Own(PodCgroups.Cgroupfs(layout)), Own(PodCgroups.Cgroupfs(layout)) };
        // Throttled: one core of work under a 20% quota (the spec's limits below say the same).
        pods[0].LimitCpu(20_000);
        pods[0].LimitMemory(256L << 20);
        pods[0].StartInContainer("stress-ng", "--cpu", "1", "--vm", "1", "--vm-bytes", "32M", "--timeout", "900s", "--quiet");
        // Disk: direct I/O, which cgroup v1 blkio accounts to the cgroup (buffered writeback it does not).
        var ioFile = Path.Combine(_root, "io");
        pods[1].StartInContainer("sh", "-c",
            $"while :; do dd if=/dev/zero of={ioFile} bs=1M count=8 oflag=direct 2>/dev/null; dd if={ioFile} of=/dev/null bs=1M iflag=direct 2>/dev/null; sleep 0.2; done");

        // Readable by the exporter's non-root user, as the kubelet's mounts are.
        SetMode(_root, Traversable);

        var api = Own(FakeKubeApi.Start());
        api.ServeList(PodList(pods));
        api.ServeWatch();
        var kubeconfig = TestKubeconfig.Write(_root, api.Url, "live-token");

        FacadeUrl = new Uri($"http://127.0.0.1:{Ports.Free()}");
        var facadeEnvironment = Credential.FacadeEnvironment.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        facadeEnvironment["Facade__Auth__TokenFile"] = facadeToken;
        var facade = Start("facade", "dotnet",
            [Path.Combine(published.FacadeDir, "kubemonitor-facade.dll"), "--urls", FacadeUrl.ToString().TrimEnd('/')], facadeEnvironment);
        await facade.WaitForOkAsync(Http, new Uri(FacadeUrl, "/readyz"), TimeSpan.FromSeconds(60));

        ExporterUrl = new Uri($"http://127.0.0.1:{Ports.Free()}");
        // As the DaemonSet runs it: its runAsUser and runAsGroup, no capabilities, no privilege
        // escalation (the host pid namespace and the host's /proc and /sys are this test's own).
        var exporterPod = Rendered.Exporter.Spec.Template.Spec.SecurityContext;
        var exporter = Start("exporter", "setpriv",
        [
            "--reuid", exporterPod.RunAsUser!.Value.ToString(CultureInfo.InvariantCulture),
            "--regid", exporterPod.RunAsGroup!.Value.ToString(CultureInfo.InvariantCulture),
            "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
            Path.Combine(published.ExporterDir, "kubemonitor-exporter"),
            "--listen", $"127.0.0.1:{ExporterUrl.Port}", "--interval", "1s", "--node-name", NodeName,
            "--kubeconfig", kubeconfig, "--facade-url", FacadeUrl.ToString().TrimEnd('/'), "--push-token-file", exporterToken,
        ]);
        await exporter.WaitForOkAsync(Http, new Uri(ExporterUrl, "/readyz"), TimeSpan.FromSeconds(60));

        // A malformed push with the right credential: the facade's rejection counter gets a real series.
        using (var bad = new HttpRequestMessage(HttpMethod.Post, new Uri(FacadeUrl, $"/api/nodes/{NodeName}/batch")))
        {
            bad.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Credential.Token);
            bad.Content = new StringContent("{", Encoding.UTF8, "application/json");
            using var response = await Http.SendAsync(bad);
            if (response.StatusCode != HttpStatusCode.BadRequest)
            {
                throw new InvalidOperationException($"A malformed authenticated push answered {(int)response.StatusCode}, not 400.");
            }
        }

        PrometheusUrl = new Uri($"http://127.0.0.1:{Ports.Free()}");
        var config = Path.Combine(_root, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: kubemonitor-exporter
                # The exporter's own node label wins, as with the PodMonitor.
                honor_labels: true
                static_configs:
                  - targets: ["127.0.0.1:{ExporterUrl.Port}"]
                    labels:
                      node: {NodeName}
              - job_name: kubemonitor-facade
                static_configs:
                  - targets: ["127.0.0.1:{FacadeUrl.Port}"]
            """);
        var prometheus = Start("prometheus", "prometheus",
        [
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_root, "tsdb")}",
            $"--web.listen-address=127.0.0.1:{PrometheusUrl.Port}",
        ]);
        await prometheus.WaitForOkAsync(Http, new Uri(PrometheusUrl, "/-/ready"), TimeSpan.FromSeconds(60));
    }

    /// <summary>Instant query; the result vector (or an error naming the query).</summary>
    public async Task<JsonArray> QueryAsync(string promql)
    {
        var url = new Uri(PrometheusUrl, "/api/v1/query?query=" + Uri.EscapeDataString(promql));
        var body = JsonNode.Parse(await Http.GetStringAsync(url))!;
        return body["data"]!["result"]!.AsArray();
    }

    /// <summary>Grafana's label_values(selector, label): the label's values over the series the selector matches.</summary>
    public async Task<List<string>> LabelValuesAsync(string selector, string label)
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var url = new Uri(PrometheusUrl, $"/api/v1/label/{label}/values?match[]={Uri.EscapeDataString(selector)}&start={start}");
        var body = JsonNode.Parse(await Http.GetStringAsync(url))!;
        return [.. body["data"]!.AsArray().Select(v => (string)v!)];
    }

    /// <summary>What the running programs printed, for failure messages.</summary>
    public string Logs => string.Join("\n", _processes.Select(p => $"--- {p.Name}{(p.HasExited ? " (exited)" : "")}:\n{Tail(p.Output)}"));

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;

    private string Mounted(string podPath, string program)
    {
        var path = Path.Combine(_root, program + "-secret", Path.GetFileName(podPath));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, Credential.Token + "\n");
        // A Secret volume's files (defaultMode 0440 with the pod's fsGroup): readable by the program's user.
        SetMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        SetMode(Path.GetDirectoryName(path)!, Traversable);
        return path;
    }

    private const UnixFileMode Traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("The live pipeline needs Linux cgroups.");
        File.SetUnixFileMode(path, mode);
    }

    private RunningProcess Start(string name, string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var process = RunningProcess.Start(name, program, arguments, environment);
        _processes.Add(process);
        return process;
    }

    private T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    private JsonObject PodList(PodCgroups[] pods) => new JsonObject
    {
        ["kind"] = "PodList",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject { ["resourceVersion"] = "100" },
        ["items"] = new JsonArray([.. pods.Select((pod, i) => (JsonNode)new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = PodNames[i],
                ["namespace"] = Namespace,
                ["uid"] = pod.PodUid,
                ["resourceVersion"] = (90 + i).ToString(CultureInfo.InvariantCulture),
                ["labels"] = new JsonObject { ["app"] = Deployment, ["pod-template-hash"] = ReplicaSet[(Deployment.Length + 1)..] },
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "apps/v1", ["kind"] = "ReplicaSet", ["name"] = ReplicaSet,
                    ["uid"] = "5f1d7a8e-0c4b-4e7a-9a51-3c2f6b8d9e01", ["controller"] = true,
                }),
            },
            ["spec"] = new JsonObject
            {
                ["nodeName"] = NodeName,
                ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "busybox", ["resources"] = Resources(i) }),
            },
            ["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["qosClass"] = "Burstable",
                ["containerStatuses"] = new JsonArray(new JsonObject
                {
                    ["name"] = "app", ["ready"] = true, ["restartCount"] = 0, ["image"] = "busybox", ["imageID"] = "",
                    ["containerID"] = "containerd://" + pod.ContainerId,
                }),
            },
        })]),
    };

    /// <summary>The first pod's limits are its cgroup's (so the limit-utilization panels have data); the second sets none.</summary>
    private static JsonObject Resources(int pod) => pod == 0
        ? new JsonObject
        {
            ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "64Mi" },
            ["limits"] = new JsonObject { ["cpu"] = "200m", ["memory"] = "256Mi" },
        }
        : new JsonObject();

    public Task DisposeAsync()
    {
        var errors = new List<Exception>();
        foreach (var process in Enumerable.Reverse(_processes)) process.Dispose();
        _processes.Clear();
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            try
            {
                owned.Dispose();
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        }
        _owned.Clear();
        Http.Dispose();
        try
        {
            if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
        }
        catch (IOException e)
        {
            errors.Add(e);
        }
        return errors.Count > 0 ? Task.FromException(new AggregateException(errors)) : Task.CompletedTask;
    }
}

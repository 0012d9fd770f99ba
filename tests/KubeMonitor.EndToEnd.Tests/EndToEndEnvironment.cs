using KubeMonitor.TestSupport;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using KubeMonitor.EndToEnd.Tests.Support;
using KubeMonitor.Exporter.Cgroups;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Tests.Cgroups;
using KubeMonitor.Exporter.Tests.Kubernetes;

namespace KubeMonitor.EndToEnd.Tests;

/// <summary>A pod made on this host: its cgroups, its network namespace, and its names (and container resources) in the fake API.</summary>
public sealed class TestPod
{
    internal TestPod(string name, string ns, string? deployment, PodCgroups cgroups, string netns, JsonObject? resources)
    {
        Name = name;
        Namespace = ns;
        Deployment = deployment;
        Cgroups = cgroups;
        NetworkNamespace = netns;
        Resources = resources;
    }

    public string Name { get; }
    public string Namespace { get; }
    public string? Deployment { get; }
    internal PodCgroups Cgroups { get; }
    public string NetworkNamespace { get; }
    /// <summary>Its container's requests and limits in the pod spec; null for none.</summary>
    internal JsonObject? Resources { get; }

    /// <summary>Starts a program in the pod: in its container cgroup and its network namespace.</summary>
    public System.Diagnostics.Process Start(params string[] command) =>
        Cgroups.StartInContainer(["ip", "netns", "exec", NetworkNamespace, .. command]);
}

/// <summary>
/// One running system for the end-to-end tests: five pods made on this host (two of Deployment
/// test-dep in test-ns, one bare pod in default, two bare pods with limits in limits-ns), a fake
/// Kubernetes API listing them and the Node test-node, the facade and the exporter as shipped (dotnet &lt;dll&gt;), the exporter collecting
/// every second and pushing to the facade. Tests may stop and start the facade, the exporter and
/// the API; each puts them back before it ends. Everything made is removed at the end, also when
/// the start fails half way.
/// </summary>
public sealed class EndToEndEnvironment : IAsyncLifetime
{
    public const string Node = "test-node";
    public const string TestNamespace = "test-ns";
    public const string DeploymentName = "test-dep";
    public const string TemplateHash = "7c9f8d6b5";
    /// <summary>Where the limited pods live, away from the namespaces whose sums other tests check.</summary>
    public const string LimitsNamespace = "limits-ns";
    /// <summary>The CPU-limited pod's limit (and request) in its spec, in cores, and as the kubelet turns it into a CFS quota.</summary>
    public const string CpuLimit = "500m";
    public const double CpuLimitCores = 0.5;
    public const int CpuPeriodMicroseconds = 100_000;
    public const int CpuQuotaMicroseconds = (int)(CpuLimitCores * CpuPeriodMicroseconds);
    /// <summary>The memory-limited pod's limit (and request) in its spec, and in bytes on its cgroups.</summary>
    public const string MemoryLimit = "32Mi";
    public const long MemoryLimitBytes = 32L << 20;
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly List<IDisposable> _cleanup = [];
    private readonly string _temp = Directory.CreateTempSubdirectory("kme2e-").FullName;
    private FakeKubeApi? _kubeApi;
    private JsonObject _podList = new();
    private readonly JsonObject _nodeList = Kube.NodeList(Node);
    private ChildProcess? _facade;
    private ChildProcess? _exporter;

    /// <summary>test-dep pod that the CPU tests load.</summary>
    public TestPod Stressed { get; private set; } = null!;
    /// <summary>test-dep pod that runs the iperf3 server.</summary>
    public TestPod Server { get; private set; } = null!;
    /// <summary>Bare pod in namespace default that runs the iperf3 client.</summary>
    public TestPod Client { get; private set; } = null!;
    /// <summary>Bare pod in limits-ns whose container has a CPU limit of <see cref="CpuLimit"/>, its quota set on the pod and container cgroups as the kubelet sets it.</summary>
    public TestPod CpuLimited { get; private set; } = null!;
    /// <summary>Bare pod in limits-ns whose container has a memory limit of <see cref="MemoryLimit"/>, set on the pod and container cgroups.</summary>
    public TestPod MemoryLimited { get; private set; } = null!;
    public IReadOnlyList<TestPod> Pods => [Stressed, Server, Client, CpuLimited, MemoryLimited];
    /// <summary>The veth address of <see cref="Server"/>'s namespace (the client's is the other end of the /30).</summary>
    public string ServerAddress { get; private set; } = "";

    public int FacadePort { get; } = FreePort();
    public int ExporterPort { get; } = FreePort();
    public int KubeApiPort { get; private set; }
    public Uri FacadeUrl => new($"http://127.0.0.1:{FacadePort}");
    public Uri ExporterUrl => new($"http://127.0.0.1:{ExporterPort}");
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The recent output of both processes, for failure messages.</summary>
    public string Diagnostics => $"{_facade?.Output}\n{_exporter?.Output}";

    public async Task InitializeAsync()
    {
        try
        {
            var layout = CgroupLayoutDetector.Detect(HostRoot.Create());
            // First in, last out: the namespaces go after the processes in them have ended.
            var netns = new NetworkNamespaces();
            _cleanup.Add(netns);
            Stressed = MakePod("test-dep-7c9f8d6b5-x2x4q", TestNamespace, DeploymentName, layout, netns.Add("a"));
            Server = MakePod("test-dep-7c9f8d6b5-k8m2p", TestNamespace, DeploymentName, layout, netns.Add("b"));
            Client = MakePod("other-pod", "default", null, layout, netns.Add("c"));
            CpuLimited = MakePod("cpu-limited", LimitsNamespace, null, layout, netns.Add("d"), Kube.Resources(cpu: CpuLimit, memory: null));
            CpuLimited.Cgroups.LimitCpu(CpuQuotaMicroseconds, CpuPeriodMicroseconds, alsoPod: true);
            CpuLimited.Cgroups.GiveCpuPriority(); // its quota, not the rest of this shared machine, is what caps it
            MemoryLimited = MakePod("memory-limited", LimitsNamespace, null, layout, netns.Add("e"), Kube.Resources(cpu: null, memory: MemoryLimit));
            MemoryLimited.Cgroups.LimitMemory(MemoryLimitBytes, alsoPod: true);
            Stressed.Cgroups.GiveCpuPriority();
            _cleanup.Add(new AncestorCpuShares(layout.V1("cpu"), Stressed.Cgroups.PodPath));
            (ServerAddress, _) = netns.Connect(Server.NetworkNamespace, Client.NetworkNamespace, subnet: 7);
            foreach (var pod in Pods) pod.Start("sleep", "infinity"); // the pod's long-lived process (its "pause")

            _podList = Kube.PodList(Pods.Select(pod => Kube.Pod(
                pod.Name, pod.Namespace, pod.Cgroups.PodUid, pod.Cgroups.ContainerId, Node,
                pod.Deployment is null ? null : $"{pod.Deployment}-{TemplateHash}", pod.Deployment is null ? null : TemplateHash, pod.Resources)));
            StartKubeApi(port: 0);
            File.WriteAllText(KubeconfigPath, TestKubeconfig.Text($"http://127.0.0.1:{KubeApiPort}", "e2e-token"));

            await StartFacadeAsync();
            await StartExporterAsync();
            await WaitForAllPodsAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private string KubeconfigPath => Path.Combine(_temp, "kubeconfig");

    private TestPod MakePod(string name, string ns, string? deployment, CgroupLayout layout, string netns, JsonObject? resources = null)
    {
        var cgroups = PodCgroups.Cgroupfs(layout, "burstable");
        _cleanup.Add(cgroups);
        return new TestPod(name, ns, deployment, cgroups, netns, resources);
    }

    // ---- the fake Kubernetes API -----------------------------------------------------------

    /// <summary>Starts (again) the API server; a restart takes the same port, as an API server behind its Service.</summary>
    public void StartKubeApi(int port)
    {
        _kubeApi = FakeKubeApi.Start(port);
        KubeApiPort = _kubeApi.Port;
        _kubeApi.ServeList(_podList);
        _kubeApi.ServeWatch(); // each watch ends at once with no events; the exporter re-watches with back-off
        _kubeApi.ServeList(_nodeList, resource: FakeKubeApi.Nodes); // the exporter's own Node, for its labels
        _kubeApi.ServeWatchOf(FakeKubeApi.Nodes);
    }

    public void StopKubeApi()
    {
        _kubeApi?.Stop();
        _kubeApi?.Dispose();
        _kubeApi = null;
    }

    // ---- the facade -------------------------------------------------------------------------

    public async Task StartFacadeAsync()
    {
        _facade = ChildProcess.StartDotnet("facade", Shipped.FacadeDll, ["--urls", FacadeUrl.ToString().TrimEnd('/')]);
        await Eventually.Until(async () => (await Http.GetAsync(new Uri(FacadeUrl, "/readyz"))).IsSuccessStatusCode,
            TimeSpan.FromSeconds(60), "the facade to be ready", () => Diagnostics);
    }

    public void StopFacade() => _facade?.Dispose();

    // ---- the exporter -----------------------------------------------------------------------

    /// <summary>Starts the exporter; with <paramref name="clock"/>, its wall clock is that fake one (monotonic time stays real).</summary>
    internal async Task StartExporterAsync(FakeClock? clock = null)
    {
        _exporter = await StartExporterAsync("exporter", ExporterPort, [FacadeUrl], clock);
    }

    /// <summary>
    /// Starts another exporter of this node, listening on <paramref name="port"/> and pushing to
    /// <paramref name="facades"/> (each gets the whole stream and a buffer of its own); the caller ends it.
    /// </summary>
    internal async Task<ChildProcess> StartExporterAsync(string name, int port, IEnumerable<Uri> facades, FakeClock? clock = null)
    {
        var exporter = ChildProcess.StartDotnet(name, Shipped.ExporterDll,
        [
            "--node-name", Node,
            "--kubeconfig", KubeconfigPath,
            "--interval", $"{Interval.TotalSeconds}s",
            "--listen", $"127.0.0.1:{port}",
            .. facades.SelectMany(facade => new[] { "--facade-url", facade.ToString().TrimEnd('/') }),
        ], clock?.Environment);
        try
        {
            await Eventually.Until(async () => (await Http.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"))).IsSuccessStatusCode,
                TimeSpan.FromSeconds(60), $"{name} to be ready", () => exporter.Output);
        }
        catch
        {
            exporter.Dispose();
            throw;
        }
        return exporter;
    }

    /// <summary>SIGKILL, as a crashed or evicted exporter.</summary>
    public void KillExporter() => _exporter?.Dispose();

    public Task<string> ExporterMetricsAsync() => Http.GetStringAsync(new Uri(ExporterUrl, "/metrics"));

    /// <summary>Until the facade knows every test pod by name from a fresh push.</summary>
    public Task WaitForAllPodsAsync() =>
        Eventually.Until(async () =>
        {
            foreach (var pod in Pods)
            {
                var view = await TryGetAsync($"/api/pods/{pod.Name}?namespace={pod.Namespace}");
                if (view?["cpu"]?["usageCores"] is null) return false;
            }
            return true;
        }, TimeSpan.FromSeconds(90), "the facade to show every test pod with a CPU rate", () => Diagnostics);

    // ---- facade queries ---------------------------------------------------------------------

    /// <summary>GET a facade path that must answer 200 with JSON.</summary>
    public Task<JsonNode> GetAsync(string pathAndQuery) => GetAsync(FacadeUrl, pathAndQuery);

    /// <summary>GET a path of the facade at <paramref name="facade"/> (this one or another a test runs) that must answer 200 with JSON.</summary>
    public async Task<JsonNode> GetAsync(Uri facade, string pathAndQuery)
    {
        using var response = await Http.GetAsync(new Uri(facade, pathAndQuery));
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {pathAndQuery}: {(int)response.StatusCode} {body}");
        }
        return JsonNode.Parse(body)!;
    }

    public async Task<JsonNode?> TryGetAsync(string pathAndQuery)
    {
        try
        {
            return await GetAsync(pathAndQuery);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public Task<JsonNode> PodAsync(TestPod pod, string query = "") =>
        GetAsync($"/api/pods/{pod.Name}?namespace={pod.Namespace}{query}");

    /// <summary>Waits for a pod sample newer than <paramref name="after"/> and returns the pod's view.</summary>
    public Task<JsonNode> PodAfterAsync(TestPod pod, DateTime after) =>
        Eventually.Until(async () =>
        {
            var view = await PodAsync(pod);
            return Timestamp(view) > after ? view : null;
        }, TimeSpan.FromSeconds(30), $"a sample of {pod.Name} after {after:O}", () => Diagnostics);

    public static DateTime Timestamp(JsonNode node) => node["timestamp"]!.GetValue<DateTime>().ToUniversalTime();

    public static double? Number(JsonNode node, string section, string field) =>
        node[section]?[field] is JsonValue value ? value.GetValue<double>() : null;

    public async Task DisposeAsync()
    {
        var errors = new List<Exception>();
        void Try(Action action)
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        }
        Try(() => _exporter?.Dispose());
        Try(() => _facade?.Dispose());
        Try(StopKubeApi);
        foreach (var item in Enumerable.Reverse(_cleanup)) Try(item.Dispose);
        Try(() => Directory.Delete(_temp, recursive: true));
        Http.Dispose();
        await Task.CompletedTask;
        if (errors.Count > 0) throw new AggregateException("Cleaning up the end-to-end environment failed.", errors);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

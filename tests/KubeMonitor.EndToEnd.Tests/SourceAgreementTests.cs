using System.Diagnostics;
using System.Text.Json.Nodes;
using KubeMonitor.EndToEnd.Tests.Support;
using static KubeMonitor.EndToEnd.Tests.EndToEndEnvironment;

namespace KubeMonitor.EndToEnd.Tests;

public sealed partial class EndToEndTests
{
    private const int AgreementWindowSeconds = 60;
    private const double AgreementTolerance = 0.05;
    private const string AgreementIperfPort = "5202";
    private const long MinScrapeDistanceMs = 150;

    /// <summary>
    /// docs/api.md section 8: a facade reading a real Prometheus that scrapes the exporter every
    /// second answers as the facade the same exporter pushes to. Under a CPU stress in one pod,
    /// iperf3 between two pods and direct writes to the disk, over the same 60 s window read at the
    /// same moment, both list the same pods, nodes, namespaces and deployments, and every average
    /// (pod, deployment, namespace, node) and latest sum agrees within 5 %. Node and pod series are
    /// read at step=1: from Prometheus they keep each step's last sample, and at 1 s that is every
    /// scrape, as the pushed facade keeps every sample. Rollups use the default step on both.
    /// </summary>
    [Fact]
    public async Task Facade_reading_prometheus_agrees_with_the_facade_fed_by_pushes()
    {
        var diskFile = Path.Combine("/var/tmp", $"kme2e-{Guid.NewGuid():N}.bin"); // the real disk, never a tmpfs
        var load = new List<Process>();
        PrometheusServer? prometheus = null;
        ChildProcess? prometheusFacade = null;
        var prometheusFacadeUrl = new Uri($"http://127.0.0.1:{FreePort()}");
        string Diagnostics() => $"{env.Diagnostics}\n{prometheusFacade?.Output}\n{prometheus?.Output}";
        try
        {
            // Load that outlasts the test: the 60 s window must lie inside it.
            load.Add(env.Stressed.Start("stress-ng", "--cpu", "1", "--timeout", "150s", "--quiet"));
            load.Add(env.Server.Start("iperf3", "--server", "--one-off", "--bind", env.ServerAddress, "--port", AgreementIperfPort));
            await Eventually.Until(() => Task.FromResult(
                NetworkNamespaces.Run("ip", "netns", "exec", env.Server.NetworkNamespace, "ss", "-Hltn", $"sport = :{AgreementIperfPort}").Trim().Length > 0),
                TimeSpan.FromSeconds(15), "the iperf3 server to listen");
            load.Add(env.Client.Start("iperf3", "--client", env.ServerAddress, "--port", AgreementIperfPort, "--time", "150", "--bitrate", "20M"));
            // About 10 MB/s of direct writes: node disk rates well above the host's background.
            load.Add(env.Client.Start("sh", "-c",
                """while :; do dd if=/dev/zero of="$0" bs=1M count=2 oflag=direct conv=notrunc status=none || exit 1; sleep 0.2; done""", diskFile));

            prometheus = await StartPrometheusAwayFromCollectionsAsync();
            prometheusFacade = ChildProcess.StartDotnet("facade-prometheus", Shipped.FacadeDll,
            [
                "--urls", prometheusFacadeUrl.ToString().TrimEnd('/'),
                "--Facade:Source", "Prometheus",
                "--Facade:Prometheus:Url", prometheus.Url.ToString().TrimEnd('/'),
            ]);
            await Eventually.Until(async () => (await env.Http.GetAsync(new Uri(prometheusFacadeUrl, "/readyz"))).IsSuccessStatusCode,
                TimeSpan.FromSeconds(60), "the Prometheus facade to be ready", Diagnostics);

            // The window starts after the load shows and after Prometheus holds two scrapes of it.
            var stressPath = $"/api/pods/{env.Stressed.Name}?namespace={TestNamespace}";
            var loaded = await Eventually.Until(async () =>
                await env.GetAsync(stressPath) is var view && Number(view, "cpu", "usageCores") >= 0.9 ? view : null,
                TimeSpan.FromSeconds(30), "the stress to show in the pod", Diagnostics);
            var scraped = await Eventually.Until(async () =>
                await env.GetAsync(prometheusFacadeUrl, stressPath) is var view && Number(view, "cpu", "usageCores") is not null ? view : null,
                TimeSpan.FromSeconds(30), "the Prometheus facade to show a CPU rate of the pod", Diagnostics);
            var windowCanStart = new[] { Timestamp(loaded), Timestamp(scraped) }.Max().AddSeconds(1);
            var wait = windowCanStart.AddSeconds(AgreementWindowSeconds) - DateTime.UtcNow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);

            async Task<(JsonNode Memory, JsonNode Prometheus)> Both(string path)
            {
                var memory = env.GetAsync(env.FacadeUrl, path);
                var fromPrometheus = env.GetAsync(prometheusFacadeUrl, path);
                return (await memory, await fromPrometheus);
            }

            // Every series of one moment, read side by side from both facades.
            var window = $"window={AgreementWindowSeconds}";
            var asked = DateTime.UtcNow;
            var stressed = Both($"{stressPath}&{window}&step=1");
            var server = Both($"/api/pods/{env.Server.Name}?namespace={TestNamespace}&{window}&step=1");
            var client = Both($"/api/pods/{env.Client.Name}?namespace={env.Client.Namespace}&{window}&step=1");
            var node = Both($"/api/nodes/{Node}?{window}&step=1");
            var deployment = Both($"/api/namespaces/{TestNamespace}/deployments/{DeploymentName}?{window}");
            var testNamespace = Both($"/api/namespaces/{TestNamespace}?{window}");
            var defaultNamespace = Both($"/api/namespaces/{env.Client.Namespace}?{window}");
            await Task.WhenAll(stressed, server, client, node, deployment, testNamespace, defaultNamespace);

            var agreement = new SourceAgreement(AgreementTolerance);
            void Averages(string what, (JsonNode Memory, JsonNode Prometheus) series, params (string Section, string Field)[] fields)
            {
                Assert.Equal((int)series.Memory["stepSeconds"]!, (int)series.Prometheus["stepSeconds"]!);
                foreach (var (section, field) in fields) agreement.Add($"{what} {section}.{field} avg", Average(series.Memory, section, field), Average(series.Prometheus, section, field));
            }
            Averages("stressed pod", await stressed, ("cpu", "usageCores"), ("memory", "workingSetBytes"), ("memory", "usageBytes"));
            Averages("server pod", await server, ("network", "rxBytesPerSecond"));
            Averages("client pod", await client, ("network", "txBytesPerSecond"));
            Averages("deployment", await deployment, ("cpu", "usageCores"), ("memory", "workingSetBytes"), ("network", "rxBytesPerSecond"));
            Averages("namespace test-ns", await testNamespace, ("cpu", "usageCores"), ("memory", "workingSetBytes"), ("network", "rxBytesPerSecond"));
            Averages("namespace default", await defaultNamespace, ("network", "txBytesPerSecond"));
            Averages("node", await node, ("cpu", "usageCores"), ("memory", "usedBytes"), ("disk", "writeBytesPerSecond"));
            var nodeSeries = await node;
            foreach (var (section, field, floor) in new[] { ("disk", "readBytesPerSecond", 1e6), ("network", "rxBytesPerSecond", 1e5), ("network", "txBytesPerSecond", 1e5) })
            {
                agreement.AddWhereNonTrivial($"node {section}.{field} avg", Average(nodeSeries.Memory, section, field), Average(nodeSeries.Prometheus, section, field), floor);
            }

            // Both facades' node and pod series cover the window from its start (Prometheus had
            // started before it); on a busy host a late collection or scrape leaves a gap of a few seconds.
            foreach (var (memory, fromPrometheus) in new[] { await stressed, nodeSeries })
            {
                var windowStart = asked.AddSeconds(-AgreementWindowSeconds);
                Assert.InRange(Timestamp(Points(memory).First()), windowStart, windowStart.AddSeconds(10));
                Assert.InRange(Timestamp(Points(fromPrometheus).First()), windowStart, windowStart.AddSeconds(10));
            }
            // The load is what the window saw: otherwise the averages agree on nothing much.
            Assert.InRange(Average((await stressed).Memory, "cpu", "usageCores")!.Value, 0.9, 1.1);
            Assert.True(Average(nodeSeries.Memory, "disk", "writeBytesPerSecond") >= 5e6, "The node wrote less than 5 MB/s during the window.");
            Assert.True(Average((await server).Memory, "network", "rxBytesPerSecond") >= 1e6, "The server pod received less than 1 MB/s during the window.");

            await LatestTotalsAgreeAsync(agreement, Both);
            await LatestSumsAgreeAsync(agreement, Both, prometheusFacadeUrl);
            await ListsAgreeAsync(Both);

            Measured($"{agreement.Count} numbers compared, largest difference {agreement.Largest * 100:0.00} %:\n{agreement.Report}");
            Assert.True(!agreement.Disagreeing.Any(),
                $"Off by more than {AgreementTolerance * 100:0} %: {string.Join(", ", agreement.Disagreeing)}\n{agreement.Report}\n{prometheusFacade.Output}");
        }
        finally
        {
            foreach (var process in load)
            {
                Stop(process);
                process.Dispose();
            }
            prometheusFacade?.Dispose();
            prometheus?.Dispose();
            File.Delete(diskFile);
        }
    }

    /// <summary>
    /// The node's and the stressed pod's latest counters and sizes. The facades' newest samples
    /// may be a collection apart: a second's growth is far below 5 % of a node counter that has
    /// grown since boot, and below 2 % of the pod's, which has had this minute of stress at least.
    /// </summary>
    private async Task LatestTotalsAgreeAsync(SourceAgreement agreement, Func<string, Task<(JsonNode Memory, JsonNode Prometheus)>> both)
    {
        var node = both($"/api/nodes/{Node}");
        var pod = both($"/api/pods/{env.Stressed.Name}?namespace={TestNamespace}");
        var (memory, fromPrometheus) = await node;
        foreach (var (section, field) in new[]
        {
            ("cpu", "usageSecondsTotal"), ("cpu", "capacityCores"), ("memory", "totalBytes"), ("disk", "readBytesTotal"),
            ("disk", "writeBytesTotal"), ("network", "rxBytesTotal"), ("network", "txBytesTotal"),
        })
        {
            agreement.Add($"node latest {section}.{field}", Number(memory, section, field), Number(fromPrometheus, section, field));
        }
        (memory, fromPrometheus) = await pod;
        agreement.Add("stressed pod latest cpu.usageSecondsTotal", Number(memory, "cpu", "usageSecondsTotal"), Number(fromPrometheus, "cpu", "usageSecondsTotal"));
    }

    /// <summary>
    /// The namespace's latest sums, as the mean of reads made each just after a new scrape. The
    /// facades' newest samples may be of neighbouring collections, and Prometheus' latest rate
    /// divides one collection interval's growth by one scrape interval (either can be 5 % off the
    /// other on a busy host); over consecutive samples those rates add up to the growth over all
    /// of them, so their mean is the mean rate, as the pushed facade's is.
    /// </summary>
    private async Task LatestSumsAgreeAsync(
        SourceAgreement agreement, Func<string, Task<(JsonNode Memory, JsonNode Prometheus)>> both, Uri prometheusFacade)
    {
        const int reads = 5;
        var scrapedPod = $"/api/pods/{env.Stressed.Name}?namespace={TestNamespace}";
        var lastScrape = Timestamp(await env.GetAsync(prometheusFacade, scrapedPod));
        var views = new List<(JsonNode Memory, JsonNode Prometheus)>();
        for (var i = 0; i < reads; i++)
        {
            var scraped = await Eventually.Until(async () =>
                await env.GetAsync(prometheusFacade, scrapedPod) is var view && Timestamp(view) > lastScrape ? view : null,
                TimeSpan.FromSeconds(10), "a new scrape of the exporter", () => env.Diagnostics);
            lastScrape = Timestamp(scraped);
            views.Add(await both($"/api/namespaces/{TestNamespace}"));
        }
        Assert.All(views, view => Assert.Equal((int)view.Memory["podCount"]!, (int)view.Prometheus["podCount"]!));
        foreach (var (section, field) in new[] { ("cpu", "usageCores"), ("memory", "workingSetBytes"), ("memory", "usageBytes") })
        {
            agreement.Add($"namespace test-ns latest {section}.{field} (mean of {reads} reads)",
                views.Average(v => Number(v.Memory, section, field)!.Value),
                views.Average(v => Number(v.Prometheus, section, field)!.Value));
        }
    }

    /// <summary>
    /// Prometheus scraping the exporter every second at a moment of the second well away from
    /// the exporter's collections. The exporter shows its last collection: a scrape at about the
    /// moment a collection is published sees it or the one before by chance, and gives two
    /// scrapes of one collection (a rate of 0) then a jump (a double rate). That is in the data,
    /// and a rollup, which takes one rate per step, cannot average it out. Prometheus sets a
    /// target's moment by a hash of its labels: another job name gives another moment.
    /// </summary>
    private async Task<PrometheusServer> StartPrometheusAwayFromCollectionsAsync()
    {
        // The chance that every attempt lands within 150 ms of the collections is 0.3^10, about 6 in a million.
        const int attempts = 10;
        var distances = new List<string>();
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var job = $"exporter-{attempt}";
            var prometheus = await PrometheusServer.StartAsync(env.Http, (job, env.ExporterPort));
            try
            {
                var scrapes = await Eventually.Until(async () =>
                    await QueryAsync(prometheus.Url, $"up{{job=\"{job}\"}}[10s]") is [var series] && series!["values"]!.AsArray() is { Count: >= 3 } values ? values : null,
                    TimeSpan.FromSeconds(30), "three scrapes of the exporter", () => prometheus.Output);
                var scrapePhase = SecondPhase.Of([.. scrapes.Select(sample => (long)Math.Round(sample![0]!.GetValue<double>() * 1000))]);
                // Taken again each attempt: a timer's ticks come a little late under load, so the collections' moment drifts.
                var collections = await env.PodAsync(env.Stressed, "&window=5&step=1");
                var collectionPhase = SecondPhase.Of([.. Points(collections).Select(p => new DateTimeOffset(Timestamp(p)).ToUnixTimeMilliseconds())]);
                var distance = SecondPhase.Distance(scrapePhase, collectionPhase);
                distances.Add($"{distance} (scrapes at {scrapePhase}, collections at {collectionPhase} ms of the second)");
                if (distance >= MinScrapeDistanceMs)
                {
                    Measured($"scrapes {distance} ms from the exporter's collections (tried: {string.Join("; ", distances)})");
                    return prometheus;
                }
            }
            catch
            {
                prometheus.Dispose();
                throw;
            }
            prometheus.Dispose();
        }
        throw new InvalidOperationException(
            $"Prometheus scraped within {MinScrapeDistanceMs} ms of the exporter's collections under each of {attempts} job names: {string.Join("; ", distances)}.");
    }

    /// <summary>Both facades list the same pods (with their names from Kubernetes), nodes, namespaces and deployments.</summary>
    private async Task ListsAgreeAsync(Func<string, Task<(JsonNode Memory, JsonNode Prometheus)>> both)
    {
        static IEnumerable<string> Pods(JsonNode list) => Items(list).Select(pod =>
            $"{pod["namespace"]}/{pod["name"]} node={pod["node"]} uid={pod["uid"]} deployment={pod["deployment"]} containers=" +
            string.Join(",", pod["containers"]!.AsArray().Select(c => (string)c!["name"]!))).Order();
        static IEnumerable<string> Groups(JsonNode list) => Items(list).Select(group =>
            $"{group["name"]}: {string.Join(",", group["pods"]!.AsArray().Select(p => (string)p!).Order())}").Order();

        var pods = await both("/api/pods");
        Assert.Equal(env.Pods.Count, Items(pods.Memory).Count());
        Assert.Equal(Pods(pods.Memory), Pods(pods.Prometheus));
        var nodes = await both("/api/nodes");
        Assert.Equal([Node], Items(nodes.Memory).Select(n => (string)n["name"]!));
        Assert.Equal(Items(nodes.Memory).Select(n => (string)n["name"]!), Items(nodes.Prometheus).Select(n => (string)n["name"]!));
        var namespaces = await both("/api/namespaces");
        Assert.Equal(Groups(namespaces.Memory), Groups(namespaces.Prometheus));
        var deployments = await both($"/api/namespaces/{TestNamespace}/deployments");
        Assert.Equal([$"{DeploymentName}: {string.Join(",", new[] { env.Stressed.Name, env.Server.Name }.Order())}"], Groups(deployments.Memory));
        Assert.Equal(Groups(deployments.Memory), Groups(deployments.Prometheus));
    }

    private static IEnumerable<JsonNode> Items(JsonNode list) => list["items"]!.AsArray().Select(item => item!);

    /// <summary>A series summary's average of one value; null when the window had none.</summary>
    private static double? Average(JsonNode series, string section, string field) =>
        series["summary"]?[section]?[field]?["avg"] is JsonValue value ? value.GetValue<double>() : null;
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace KubeMonitor.Facade.Tests;

/// <summary>
/// Writers, readers and the sweep at once. Writer w's sample k is at t0 + k * 100 ms with CPU
/// total k² + w (so every rate between consecutive samples is (2k - 1) * 10 cores) and working
/// set 7k; each retry of an older sample carries garbage. A read is torn or wrong if any value
/// does not fit its own timestamp.
/// </summary>
public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    private const int Writers = 6;
    private const int Readers = 6;
    private static readonly DateTimeOffset T0 = FacadeFactory.Start.AddMinutes(-50);

    [Fact]
    public async Task Many_writers_and_readers_see_only_whole_samples()
    {
        using var facade = new FacadeFactory(new() { ["Facade:Retention"] = "02:00:00", ["Facade:Staleness"] = "01:00:00" });
        // Bounded by work, not time: writers push a fixed number of samples, readers read until they are done.
        using var stop = new CancellationTokenSource();
        var pushed = new long[Writers];
        var checkedReads = 0L;

        var seedClient = facade.CreateClient();
        for (var w = 0; w < Writers; w++) await PushAsync(seedClient, w, 0, garbage: false); // readers may ask for any pod

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var client = facade.CreateClient();
            for (var k = 1; k <= 150; k++)
            {
                await PushAsync(client, w, k, garbage: false);
                Interlocked.Exchange(ref pushed[w], k);
                if (k % 10 == 9) await PushAsync(client, w, k - 3, garbage: true); // a retry: must be dropped
            }
        })).ToList();

        var readers = Enumerable.Range(0, Readers).Select(r => Task.Run(async () =>
        {
            var client = facade.CreateClient();
            do
            {
                var w = r % Writers;
                foreach (var pod in (await GetAsync(client, "/api/pods?namespace=load"))["items"]!.AsArray()) CheckPod(pod!);
                var series = await GetAsync(client, $"/api/pods/writer-{w}?namespace=load&window=3600");
                foreach (var point in series["points"]!.AsArray()) CheckPoint(w, point!);
                await GetAsync(client, "/api/namespaces/load?window=600&step=1");
                await GetAsync(client, "/api/namespaces/load/deployments/writer");
                Interlocked.Increment(ref checkedReads);
            }
            while (!stop.IsCancellationRequested);
        })).ToList();

        var clock = Task.Run(async () =>
        {
            // The sweep runs on the fake clock's timer: move it on so sweeps interleave with everything else.
            while (!stop.IsCancellationRequested)
            {
                facade.Clock.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(20);
            }
        });

        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await Task.WhenAll([.. readers, clock]);

        output.WriteLine($"checked read rounds: {checkedReads}; samples per writer: {string.Join(", ", pushed)}");
        Assert.True(checkedReads > 0, "no read completed");
        // Afterwards each writer's pod holds exactly its samples, in order.
        for (var w = 0; w < Writers; w++)
        {
            var points = (await facade.GetJsonAsync($"/api/pods/writer-{w}?namespace=load&window=7200"))["points"]!.AsArray();
            Assert.Equal(pushed[w] + 1, points.Count);
            foreach (var point in points) CheckPoint(w, point!);
        }
    }

    [Fact]
    public async Task The_store_under_direct_load_never_answers_a_torn_or_overwritten_sample()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(FacadeFactory.Start);
        var options = Microsoft.Extensions.Options.Options.Create(new FacadeOptions { Retention = TimeSpan.FromHours(2), Staleness = TimeSpan.FromHours(1) });
        var store = new KubeMonitor.Facade.Storage.InMemoryMetricsStore(options, clock);
        var queries = new KubeMonitor.Facade.Queries.MetricsQueries(
            new KubeMonitor.Facade.Storage.StoredSamples(store, options, new KubeMonitor.Facade.Storage.StoreReadiness()), new KubeMonitor.Facade.Queries.DeploymentResolver(new NoOwners()), clock);
        using var stop = new CancellationTokenSource();
        var pushed = new long[Writers];
        long reads = 0;

        static KubeMonitor.Facade.Storage.IngestBatch Sample(int w, long k, bool garbage)
        {
            // In the columns of PodFields.Table: cpu, working set, usage; the others absent.
            var pods = KubeMonitor.Facade.Storage.PodFields.Table;
            var pod = pods.EmptyRow();
            pod[pods.Column("cpu.usageSecondsTotal")] = garbage ? 1e15 : (double)k * k + w;
            pod[pods.Column("memory.workingSetBytes")] = garbage ? 3 : 7.0 * k;
            pod[pods.Column("memory.usageBytes")] = 1;
            var containers = KubeMonitor.Facade.Storage.ContainerFields.Table;
            var container = containers.EmptyRow();
            container[containers.Column("cpu.usageSecondsTotal")] = garbage ? 0 : k;
            container[containers.Column("memory.workingSetBytes")] = 1;
            var entry = new KubeMonitor.Facade.Storage.PodEntry("load", $"writer-{w}", "node-1", null, null, null, "writer",
                T0.AddMilliseconds(k * 100).ToUnixTimeMilliseconds(), pod, [new("app", container)]);
            return new KubeMonitor.Facade.Storage.IngestBatch(null, [entry]);
        }

        for (var w = 0; w < Writers; w++) store.Store(Sample(w, 0, false));
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (long k = 1; k <= 20_000; k++)
            {
                store.Store(Sample(w, k, false));
                Interlocked.Exchange(ref pushed[w], k);
                if (k % 10 == 9) store.Store(Sample(w, k - 3, true));
            }
        })).ToList();
        var readers = Enumerable.Range(0, Readers).Select(r => Task.Run(async () =>
        {
            var selector = new KubeMonitor.Facade.Storage.PodSelector(Namespace: "load");
            do
            {
                foreach (var pod in (await queries.PodsAsync(selector)).Select(KubeMonitor.Facade.Api.ViewMapping.Pod))
                {
                    CheckPoint(int.Parse(pod.Name["writer-".Length..], CultureInfo.InvariantCulture), System.Text.Json.JsonSerializer.SerializeToNode(pod, Web)!);
                }
                var w = r % Writers;
                if (await queries.PodSeriesAsync(new KubeMonitor.Facade.Storage.PodKey("load", $"writer-{w}"), new KubeMonitor.Facade.Queries.QueryWindow(600, 5)) is { } window)
                {
                    var series = KubeMonitor.Facade.Api.ViewMapping.PodSeries(window);
                    foreach (var point in series.Points.TakeLast(50)) CheckPoint(w, System.Text.Json.JsonSerializer.SerializeToNode(point, Web)!);
                }
                store.Sweep();
                Interlocked.Increment(ref reads);
            }
            while (!stop.IsCancellationRequested);
        })).ToList();
        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        output.WriteLine($"store-level read rounds: {reads}; samples per writer: {string.Join(", ", pushed)}");
        Assert.True(reads > 0, "no read completed");
        Assert.Equal(Writers * 2L, store.SeriesCount);
    }

    private static readonly System.Text.Json.JsonSerializerOptions Web = new(System.Text.Json.JsonSerializerDefaults.Web);

    private sealed class NoOwners : KubeMonitor.Facade.Kubernetes.IReplicaSetOwnerResolver
    {
        public bool TryGetDeployment(string podNamespace, string replicaSetName, out string? deployment)
        {
            deployment = null;
            return false;
        }
    }

    private static async Task PushAsync(HttpClient client, int w, int k, bool garbage)
    {
        var value = garbage ? 1e15 : (double)k * k + w;
        var body = Bodies.Pod(0, "load", value, garbage ? 3 : 7.0 * k, 1, deployment: "writer",
            containers: [Bodies.Container("app", garbage ? 0 : k, 1)]);
        var json = System.Text.Json.JsonSerializer.SerializeToNode(body)!;
        json["timestamp"] = T0.AddMilliseconds(k * 100).UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        using var content = new StringContent(json.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri($"/api/pods/writer-{w}", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static async Task<JsonNode> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private static long SampleIndex(JsonNode node)
    {
        var t = DateTimeOffset.Parse((string)node["timestamp"]!, CultureInfo.InvariantCulture);
        return (long)(t - T0).TotalMilliseconds / 100;
    }

    private static void CheckPod(JsonNode pod)
    {
        var w = int.Parse(((string)pod["name"]!)["writer-".Length..], CultureInfo.InvariantCulture);
        CheckPoint(w, pod);
    }

    private static void CheckPoint(int w, JsonNode point)
    {
        var k = SampleIndex(point);
        Assert.Equal(7.0 * k, (double)point["memory"]!["workingSetBytes"]!);
        var cores = (double?)point["cpu"]!["usageCores"];
        if (k == 0) Assert.Null(cores);
        else Assert.Equal((2 * k - 1) * 10.0, cores!.Value, 6);
        var app = point["containers"]!.AsArray().Single()!;
        if (k > 0) Assert.Equal(10.0, (double)app["cpu"]!["usageCores"]!, 6);
        if (point["cpu"]!["usageSecondsTotal"] is { } total) Assert.Equal((double)k * k + w, (double)total);
    }
}

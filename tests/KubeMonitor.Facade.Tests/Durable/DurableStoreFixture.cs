using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Storage.Durable;
using KubeMonitor.Facade.Telemetry;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KubeMonitor.Facade.Tests.Durable;

/// <summary>A durable store over a temporary data folder (deleted on dispose), started and loaded.</summary>
internal sealed class DurableStoreFixture : IAsyncDisposable
{
    private DurableStoreFixture(string directory, FakeTimeProvider clock, FacadeOptions options)
    {
        DataDirectory = directory;
        Clock = clock;
        Memory = new InMemoryMetricsStore(Options.Create(options), clock);
        Metrics = new FacadeMetrics([Memory]);
        Store = new DurableStore(Memory, Readiness, Options.Create(options), clock, new DurableStoreMetrics(Metrics, Options.Create(options)), Log);
    }

    public string DataDirectory { get; }

    public FakeTimeProvider Clock { get; }

    public InMemoryMetricsStore Memory { get; }

    public StoreReadiness Readiness { get; } = new();

    /// <summary>The facade's registry the store reports into (its own: fixtures do not share counters).</summary>
    public FacadeMetrics Metrics { get; }

    public ListLogger<DurableStore> Log { get; } = new();

    public DurableStore Store { get; }

    public static string NewDirectory() => Directory.CreateTempSubdirectory("kubemonitor-durable-").FullName;

    /// <summary>Starts a store on <paramref name="directory"/> and waits until it has loaded.</summary>
    public static async Task<DurableStoreFixture> StartAsync(string directory, FakeTimeProvider clock, Action<FacadeOptions>? configure = null)
    {
        var options = new FacadeOptions { DataDirectory = directory, Staleness = TimeSpan.FromHours(1), CheckpointInterval = TimeSpan.FromHours(1) };
        configure?.Invoke(options);
        var fixture = new DurableStoreFixture(directory, clock, options);
        await fixture.Store.StartAsync(CancellationToken.None);
        for (var i = 0; i < 500 && !fixture.Readiness.IsReady; i++) await Task.Delay(10);
        Assert.True(fixture.Readiness.IsReady, fixture.Readiness.NotReadyReason);
        return fixture;
    }

    /// <summary>Everything the store holds, one line per entity, values as bits: equal text, equal stores.</summary>
    public static List<string> Contents(InMemoryMetricsStore store)
    {
        var lines = new List<string>();
        foreach (var node in store.Directory.Nodes.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            lines.Add($"node {node.Name} {Rows(node.Rows(long.MinValue, long.MinValue, long.MaxValue))}");
        }
        foreach (var pod in store.Directory.Pods.OrderBy(p => p.Key))
        {
            var rows = pod.Rows(long.MinValue, long.MinValue, long.MaxValue)!;
            var id = rows.Latest.Pod;
            var labels = id.Labels is null ? "-" : string.Join(',', id.Labels.Select(l => $"{l.Key}={l.Value}"));
            lines.Add($"pod {id with { Labels = null }} {labels} {Rows(rows.Rows)} " + string.Join(' ', rows.Containers.Select(c => $"{c.Name}:{Rows(c.Rows)}")));
        }
        return lines;
    }

    private static string Rows(RawRows? rows) => rows is null ? "-" :
        string.Join(',', rows.Timestamps) + "|" + string.Join(',', rows.Values.Select(BitConverter.DoubleToInt64Bits));

    /// <summary>Pushes one batch for each of 3 nodes (3 pods each) per 5 s tick of <see cref="Clock"/>, each accepted.</summary>
    public void Push(Random random, int ticks)
    {
        for (var tick = 0; tick < ticks; tick++)
        {
            foreach (var node in new[] { "node-a", "node-b", "node-c" })
            {
                var outcome = Store.Store(DurableData.Batch(random, node, Clock.GetUtcNow().ToUnixTimeMilliseconds(), 3));
                Assert.Equal(StoreRefusal.None, outcome.Refusal);
            }
            Clock.Advance(TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>Stops as a kill would: no checkpoint, the log closed as it stands.</summary>
    public void Crash() => Store.Dispose();

    public async ValueTask DisposeAsync()
    {
        await Store.StopAsync(CancellationToken.None);
        Store.Dispose();
    }
}

using System.Text;
using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Metrics;
using KubeMonitor.Exporter.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Prometheus;
using ICollector = KubeMonitor.Exporter.Collection.ICollector;

namespace KubeMonitor.Exporter.Tests.Collectors;

/// <summary>
/// docs/api.md section 4, Freshness: a scrape serves values read at most 1 s before it, and
/// scrapes and the interval loop share one collection at a time. A scrape here is what /metrics
/// sends (<see cref="ScrapeExposition"/>); the clock is a fake one, moved by hand.
/// </summary>
public sealed class FreshCollectionsTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero));
    private readonly CountingCollector _collector = new();
    private readonly ExporterMetrics _metrics = new(Prometheus.Metrics.NewCustomRegistry());
    private readonly RecordingSink _pushed = new();
    private readonly FreshCollections _collections;
    private readonly CollectionLoop _loop;
    private readonly ScrapeExposition _exposition;

    public FreshCollectionsTests()
    {
        var runner = new CollectionRunner("node-1", [_collector], _time, new ListLogger<CollectionRunner>());
        _collections = new FreshCollections(runner, [_metrics], _time);
        _loop = new CollectionLoop(_collections, [_pushed], Interval, _time, new ListLogger<CollectionLoop>());
        _exposition = new ScrapeExposition(_metrics.Registry, _collections);
    }

    public void Dispose()
    {
        _collector.Dispose();
        _loop.Dispose();
        _exposition.Dispose();
    }

    [Fact]
    public async Task A_scrape_right_after_a_collection_serves_it_and_one_1_5_s_later_collects()
    {
        await _loop.TickAsync(CancellationToken.None);
        Assert.Equal(1, _collector.Runs);

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1, await ScrapedCollectionAsync());
        Assert.Equal(1, _collector.Runs);

        _time.Advance(TimeSpan.FromMilliseconds(501));
        Assert.Equal(2, await ScrapedCollectionAsync());
        Assert.Equal(2, _collector.Runs);
        Assert.Equal([1], _pushed.Sequences); // a scrape's collection is not pushed
    }

    [Fact]
    public async Task The_exposition_carries_no_timestamps()
    {
        var text = await ScrapeAsync();

        // "name{labels} value": a second field after the labels would be an explicit timestamp.
        var samples = text.Split('\n').Where(line => line.Length > 0 && line[0] != '#').ToList();
        Assert.NotEmpty(samples);
        Assert.All(samples, line => Assert.Single(line[(line.LastIndexOf('}') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task Concurrent_scrapes_and_the_loop_share_one_running_collection()
    {
        _collector.Hold();
        var first = ScrapedCollectionAsync();
        await _collector.EnteredAsync();

        // Arriving while it runs: a second and third scrape and the loop's tick wait for it.
        var others = new[] { ScrapedCollectionAsync(), ScrapedCollectionAsync() };
        var tick = _loop.TickAsync(CancellationToken.None);
        Assert.False(first.IsCompleted || others.Any(o => o.IsCompleted) || tick.IsCompleted);
        _collector.Release();

        Assert.Equal(1, await first);
        Assert.All(await Task.WhenAll(others), served => Assert.Equal(1, served));
        await tick;
        Assert.Equal(1, _collector.Runs);
        Assert.Equal([1], _pushed.Sequences);
    }

    [Fact]
    public async Task Two_scrapes_at_once_after_the_values_went_stale_share_one_new_collection()
    {
        await ScrapedCollectionAsync();
        _time.Advance(TimeSpan.FromSeconds(1.5));

        _collector.Hold();
        var scrapes = new[] { ScrapedCollectionAsync(), ScrapedCollectionAsync() };
        await _collector.EnteredAsync();
        _collector.Release();

        Assert.All(await Task.WhenAll(scrapes), served => Assert.Equal(2, served));
        Assert.Equal(2, _collector.Runs);
    }

    [Fact]
    public async Task A_tick_collects_anew_even_right_after_a_scrape_so_pushes_stay_on_the_ticks()
    {
        await ScrapedCollectionAsync();
        _time.Advance(TimeSpan.FromMilliseconds(400));
        await _loop.TickAsync(CancellationToken.None);
        Assert.Equal(2, _collector.Runs);

        await _loop.TickAsync(CancellationToken.None); // not even its own of a moment ago
        Assert.Equal(3, _collector.Runs);
        Assert.Equal([2, 3], _pushed.Sequences);
    }

    [Fact]
    public async Task A_cancelled_scrape_stops_waiting_but_the_collection_goes_on_for_the_others()
    {
        _collector.Hold();
        using var cancel = new CancellationTokenSource();
        var cancelled = _collections.GetAsync(FreshCollections.ScrapeMaxAge, cancel.Token);
        await _collector.EnteredAsync();
        var other = ScrapedCollectionAsync();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        _collector.Release();

        Assert.Equal(1, await other);
        Assert.Equal(1, _collector.Runs);
    }

    [Fact]
    public async Task Scrapes_of_one_collection_get_the_text_written_once_and_a_new_collection_a_new_text()
    {
        var first = await _exposition.GetAsync(ExpositionFormat.PrometheusText, CancellationToken.None);
        var again = await _exposition.GetAsync(ExpositionFormat.PrometheusText, CancellationToken.None);
        var openMetrics = await _exposition.GetAsync(ExpositionFormat.OpenMetricsText, CancellationToken.None);
        Assert.Equal(1, _collector.Runs);
        Assert.True(first.Equals(again)); // the very same bytes, not a second writing
        Assert.EndsWith("# EOF\n", Encoding.UTF8.GetString(openMetrics.Span), StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromSeconds(1.5));
        var later = await _exposition.GetAsync(ExpositionFormat.PrometheusText, CancellationToken.None);
        Assert.Equal(2, _collector.Runs);
        Assert.False(later.Equals(first));
        Assert.Equal(2, await ScrapedCollectionAsync());
    }

    private async Task<string> ScrapeAsync() =>
        Encoding.UTF8.GetString((await _exposition.GetAsync(ExpositionFormat.PrometheusText, CancellationToken.None)).Span);

    /// <summary>Scrapes and returns which collection it served (the collector writes its run number as node CPU seconds).</summary>
    private async Task<int> ScrapedCollectionAsync()
    {
        var text = await ScrapeAsync();
        var line = text.Split('\n').Single(l => l.StartsWith("kubemonitor_node_cpu_usage_seconds_total{", StringComparison.Ordinal));
        return int.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Counts its runs; can be held inside a run until released, as a slow read would be.</summary>
    private sealed class CountingCollector : ICollector, IDisposable
    {
        private readonly ManualResetEventSlim _open = new(initialState: true);
        private TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _runs;

        public string Name => "counting";
        public int Runs => Volatile.Read(ref _runs);

        public void Hold()
        {
            _entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _open.Reset();
        }

        public Task EnteredAsync() => _entered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        public void Release() => _open.Set();

        public void Collect(NodeSnapshot snapshot)
        {
            var run = Interlocked.Increment(ref _runs);
            _entered.TrySetResult();
            if (!_open.Wait(TimeSpan.FromSeconds(10))) throw new TimeoutException("never released");
            snapshot.Cpu = new NodeCpu(run, 1);
        }

        public void Dispose() => _open.Dispose();
    }

    private sealed class RecordingSink : ICollectionSink
    {
        private readonly List<long> _sequences = [];

        public IReadOnlyList<long> Sequences
        {
            get { lock (_sequences) return [.. _sequences]; }
        }

        public ValueTask AcceptAsync(CollectionResult collection, CancellationToken cancellationToken)
        {
            lock (_sequences) _sequences.Add(collection.Sequence);
            return ValueTask.CompletedTask;
        }
    }
}

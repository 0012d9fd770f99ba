using System.Globalization;
using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Storage.Durable;
using KubeMonitor.Facade.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace KubeMonitor.Facade.Tests.Durable;

/// <summary>
/// The data folder's metrics as /metrics shows them: the log's bytes are the bytes its segments
/// hold, every push's fsync is timed, a checkpoint is counted with its file's size, and a start
/// counts the pushes it replayed and the torn tail it cut.
/// </summary>
public sealed class DurableStoreMetricsTests : IDisposable
{
    private readonly string _directory = DurableStoreFixture.NewDirectory();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000));
    private readonly Random _random = new(5);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Log_checkpoint_and_replay_are_measured()
    {
        var before = await DurableStoreFixture.StartAsync(_directory, _clock, options => options.WalSync = WalSyncPolicy.Always);
        Push(before.Store, batches: 12);
        var scraped = await ScrapeAsync(before.Metrics);
        var segmentBytes = Directory.GetFiles(WriteAheadLog.SegmentsIn(_directory)).Sum(path => new FileInfo(path).Length);
        Assert.Equal(segmentBytes, Value(scraped, "kubemonitor_facade_wal_written_bytes_total"));
        // Synced before each push was answered (one at a time here: no push shares another's fsync).
        Assert.True(Value(scraped, "kubemonitor_facade_wal_fsync_duration_seconds_count") >= 12, scraped);

        var checkpoint = before.Store.TryCheckpoint()!;
        Push(before.Store, batches: 6);
        before.Store.Store(DurableData.Batch(_random, "node-a", Now(), 3));
        scraped = await ScrapeAsync(before.Metrics);
        Assert.Equal(1, Value(scraped, "kubemonitor_facade_checkpoints_total{result=\"written\"}"));
        Assert.Equal(new FileInfo(checkpoint.Path).Length, Value(scraped, "kubemonitor_facade_checkpoint_written_bytes_total"));
        Assert.Equal(1, Value(scraped, "kubemonitor_facade_checkpoint_duration_seconds_count"));
        before.Crash();
        // The last push torn by the crash: a few bytes short.
        var segment = WriteAheadLog.Segments(WriteAheadLog.SegmentsIn(_directory))[^1].Path;
        using (var file = new FileStream(segment, FileMode.Open)) file.SetLength(file.Length - 5);

        await using var after = await DurableStoreFixture.StartAsync(_directory, _clock);
        scraped = await ScrapeAsync(after.Metrics);
        Assert.Equal(6, Value(scraped, "kubemonitor_facade_wal_records_replayed_total"));
        Assert.Equal(1, Value(scraped, "kubemonitor_facade_wal_torn_tails_total"));
        Assert.True(Value(scraped, "kubemonitor_facade_data_replay_duration_seconds") > 0, scraped);
        Assert.Equal(0, Value(scraped, "kubemonitor_facade_wal_written_bytes_total")); // nothing pushed since this start
    }

    [Fact]
    public async Task With_the_periodic_policy_pushes_are_answered_without_an_fsync_and_the_timer_syncs_them()
    {
        await using var store = await DurableStoreFixture.StartAsync(_directory, _clock, options => options.WalSyncInterval = TimeSpan.FromSeconds(1));
        Assert.Equal(WalSyncPolicy.Periodic, new FacadeOptions().WalSync);
        store.Store.Store(DurableData.Batch(_random, "node-a", Now(), 3));
        var afterFirst = Value(await ScrapeAsync(store.Metrics), "kubemonitor_facade_wal_fsync_duration_seconds_count"); // the new segment's header is synced
        for (var i = 0; i < 10; i++) Assert.Equal(StoreRefusal.None, store.Store.Store(DurableData.Batch(_random, "node-a", Now() + i + 1, 3)).Refusal);
        Assert.Equal(afterFirst, Value(await ScrapeAsync(store.Metrics), "kubemonitor_facade_wal_fsync_duration_seconds_count"));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(afterFirst + 1, Value(await ScrapeAsync(store.Metrics), "kubemonitor_facade_wal_fsync_duration_seconds_count"));
    }

    private long Now() => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    private void Push(DurableStore store, int batches)
    {
        for (var batch = 0; batch < batches; batch++)
        {
            Assert.Equal(StoreRefusal.None, store.Store(DurableData.Batch(_random, "node-a", Now(), 3)).Refusal);
            _clock.Advance(TimeSpan.FromSeconds(5));
        }
    }

    private static async Task<string> ScrapeAsync(FacadeMetrics metrics)
    {
        using var text = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(text);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }

    /// <summary>The value of the one line starting with <paramref name="series"/> (name and labels as exposed).</summary>
    private static double Value(string exposition, string series)
    {
        var line = Assert.Single(exposition.Split('\n'), l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }
}

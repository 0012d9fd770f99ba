using Microsoft.Extensions.Logging;
using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Storage.Durable;
using Microsoft.Extensions.Time.Testing;

namespace KubeMonitor.Facade.Tests.Durable;

/// <summary>
/// The durable store in process: what it stored before a crash (no checkpoint, the log as it
/// stands) or a stop is what it holds after the next start; damage on disk is logged, cut off,
/// and never stops a start.
/// </summary>
public sealed class DurableStoreTests : IDisposable
{
    private readonly string _directory = DurableStoreFixture.NewDirectory();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000));
    private readonly Random _random = new(11);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_crash_loses_no_stored_sample()
    {
        var before = await DurableStoreFixture.StartAsync(_directory, _clock);
        before.Push(_random, ticks: 30);
        var expected = DurableStoreFixture.Contents(before.Memory);
        before.Crash();

        await using var after = await DurableStoreFixture.StartAsync(_directory, _clock);
        Assert.Equal(expected, DurableStoreFixture.Contents(after.Memory));
        Assert.Contains(after.Log.Lines, l => l.Text.Contains("then 90 pushes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_checkpoint_cuts_the_log_and_a_crash_after_it_loses_nothing()
    {
        var before = await DurableStoreFixture.StartAsync(_directory, _clock);
        before.Push(_random, ticks: 20);
        var checkpoint = before.Store.TryCheckpoint();
        Assert.NotNull(checkpoint);
        Assert.Single(WriteAheadLog.Segments(WriteAheadLog.SegmentsIn(_directory)));
        before.Push(_random, ticks: 10);
        var expected = DurableStoreFixture.Contents(before.Memory);
        before.Crash();

        await using var after = await DurableStoreFixture.StartAsync(_directory, _clock);
        Assert.Equal(expected, DurableStoreFixture.Contents(after.Memory));
        Assert.Contains(after.Log.Lines, l => l.Text.Contains("then 30 pushes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_log_that_holds_CheckpointLogSamples_starts_a_checkpoint_before_the_interval()
    {
        // Each tick logs 3 nodes of 3 pods: 9 to 12 samples. The interval (an hour) never comes.
        var store = await DurableStoreFixture.StartAsync(_directory, _clock, o => o.CheckpointLogSamples = 50);
        store.Push(_random, ticks: 3);
        Assert.Empty(Directory.GetFiles(_directory, "checkpoint.*"));
        store.Push(_random, ticks: 3);

        for (var i = 0; i < 500 && !store.Log.Lines.Any(l => l.Text.StartsWith("Checkpoint ", StringComparison.Ordinal)); i++) await Task.Delay(10);
        Assert.Contains(store.Log.Lines, l => l.Text.StartsWith("Checkpoint ", StringComparison.Ordinal));
        Assert.Single(Directory.GetFiles(_directory, "checkpoint.*"));
        var expected = DurableStoreFixture.Contents(store.Memory);
        store.Crash();

        await using var after = await DurableStoreFixture.StartAsync(_directory, _clock);
        Assert.Equal(expected, DurableStoreFixture.Contents(after.Memory));
    }

    [Fact]
    public async Task A_clean_stop_leaves_a_checkpoint_that_a_start_loads_alone()
    {
        var before = await DurableStoreFixture.StartAsync(_directory, _clock);
        before.Push(_random, ticks: 12);
        var expected = DurableStoreFixture.Contents(before.Memory);
        await before.DisposeAsync();

        await using var after = await DurableStoreFixture.StartAsync(_directory, _clock);
        Assert.Equal(expected, DurableStoreFixture.Contents(after.Memory));
        Assert.Contains(after.Log.Lines, l => l.Text.Contains("then 0 pushes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retention_applies_to_what_is_loaded()
    {
        var before = await DurableStoreFixture.StartAsync(_directory, _clock, o => o.Retention = TimeSpan.FromMinutes(1));
        before.Push(_random, ticks: 24);
        before.Store.TryCheckpoint();
        before.Push(_random, ticks: 6);
        before.Crash();
        _clock.Advance(TimeSpan.FromSeconds(40));

        await using var after = await DurableStoreFixture.StartAsync(_directory, _clock, o => o.Retention = TimeSpan.FromMinutes(1));
        var oldestKept = _clock.GetUtcNow().ToUnixTimeMilliseconds() - 60_000;
        var pod = after.Memory.Directory.Pods.First().Rows(long.MinValue, long.MinValue, long.MaxValue)!;
        Assert.True(pod.Rows.Timestamps[0] >= oldestKept);
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeMilliseconds() - 40_000 - 5_000, pod.Rows.Timestamps[^1]);
    }

    [Fact]
    public async Task A_torn_log_tail_is_cut_at_the_last_whole_push_and_logged()
    {
        var before = await DurableStoreFixture.StartAsync(_directory, _clock);
        before.Push(_random, ticks: 9);
        var expected = DurableStoreFixture.Contents(before.Memory);
        before.Store.Store(DurableData.Batch(_random, "node-a", Now(), 3));
        before.Crash();
        var segment = WriteAheadLog.Segments(WriteAheadLog.SegmentsIn(_directory))[^1].Path;
        var lastRecordStart = new FileInfo(segment).Length - LastRecordLength(segment);
        using (var file = new FileStream(segment, FileMode.Open)) file.SetLength(lastRecordStart + 20);

        await using var after = await DurableStoreFixture.StartAsync(_directory, _clock);
        Assert.Equal(expected, DurableStoreFixture.Contents(after.Memory));
        Assert.Contains(after.Log.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("the 20 bytes after it are dropped: cut there", StringComparison.Ordinal));
        Assert.Equal(lastRecordStart, new FileInfo(segment).Length);
    }

    [Fact]
    public async Task A_checkpoint_of_an_older_format_is_logged_and_skipped_and_the_log_still_replays()
    {
        var before = await DurableStoreFixture.StartAsync(_directory, _clock);
        before.Push(_random, ticks: 5);
        var checkpoint = before.Store.TryCheckpoint()!;
        before.Push(_random, ticks: 3);
        before.Crash();
        RewriteHeader(checkpoint.Path, FormatHeader.OldestReadableVersion - 1);

        await using var after = await DurableStoreFixture.StartAsync(_directory, _clock);
        Assert.Contains(after.Log.Lines, l => l.Level == LogLevel.Warning
            && l.Text.Contains($"not loaded: format version {FormatHeader.OldestReadableVersion - 1}, this facade reads versions {FormatHeader.OldestReadableVersion} to {FormatHeader.CurrentVersion}", StringComparison.Ordinal));
        var pod = after.Memory.Directory.Pods.First().Rows(long.MinValue, long.MinValue, long.MaxValue)!;
        Assert.Equal(3, pod.Rows.Count);
    }

    [Fact]
    public async Task A_log_that_cannot_be_written_refuses_pushes_and_stores_nothing()
    {
        await using var store = await DurableStoreFixture.StartAsync(_directory, _clock);
        // A file where the log's folder should be: every attempt to start a segment fails.
        File.WriteAllText(WriteAheadLog.SegmentsIn(_directory), "not a folder");

        var outcomes = Enumerable.Range(0, 3).Select(_ => store.Store.Store(DurableData.Batch(_random, "node-1", Now(), 2))).ToList();

        Assert.All(outcomes, o => Assert.Equal(StoreRefusal.Unavailable, o.Refusal));
        Assert.Contains("cannot be written", outcomes[0].Detail, StringComparison.Ordinal);
        Assert.Empty(DurableStoreFixture.Contents(store.Memory));
        Assert.Single(store.Log.Lines, l => l.Level == LogLevel.Error);

        File.Delete(WriteAheadLog.SegmentsIn(_directory));
        Assert.Equal(StoreRefusal.None, store.Store.Store(DurableData.Batch(_random, "node-1", Now(), 2)).Refusal);
        Assert.Contains(store.Log.Lines, l => l.Text.Contains("takes writes again", StringComparison.Ordinal));
    }

    private long Now() => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static long LastRecordLength(string segment)
    {
        var lengths = new List<long>();
        using var file = File.OpenRead(segment);
        var frames = new FrameReader(file);
        while (frames.Next() is { IsRecord: true } read) lengths.Add(read.FrameLength);
        return lengths[^1];
    }

    private static void RewriteHeader(string path, int version)
    {
        var bytes = File.ReadAllBytes(path);
        using var file = new MemoryStream(bytes);
        var frames = new FrameReader(file);
        var header = frames.Next();
        var writer = new RecordWriter();
        (FormatHeader.Read(frames.Payload) with { Version = version }).Write(writer);
        var frame = new System.Buffers.ArrayBufferWriter<byte>();
        Frames.Write(RecordKind.Header, writer.Written, frame);
        File.WriteAllBytes(path, [.. frame.WrittenSpan, .. bytes.AsSpan(header.FrameLength)]);
    }
}

using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Storage.Durable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KubeMonitor.Facade.Tests.Durable;

/// <summary>
/// Closed chunks in chunk files: each written once, by the first checkpoint that meets it, and
/// named by the later ones; a file goes when no chunk of it is named; a failed checkpoint's places
/// are never trusted; a damaged chunk costs its own entity only.
/// </summary>
public sealed class ChunkFilesTests : IDisposable
{
    private readonly string _directory = DurableStoreFixture.NewDirectory();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000));
    private readonly Random _random = new(17);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string ChunkDirectory => ChunkFiles.In(_directory);

    [Fact]
    public async Task Each_closed_chunk_is_written_once_and_a_start_reads_them_all()
    {
        var before = await DurableStoreFixture.StartAsync(_directory, _clock);
        before.Push(_random, ticks: 100);
        var first = before.Store.TryCheckpoint()!;
        var closedAtFirst = ClosedChunks(before.Memory);
        Assert.True(closedAtFirst > 0);
        Assert.Equal(closedAtFirst, ChunkRecords().Sum());

        // Nothing closed since: the checkpoint writes no chunk, and names the same file.
        var second = before.Store.TryCheckpoint()!;
        Assert.Equal(0, second.ChunkBytes);
        Assert.Single(ChunkRecords());

        before.Push(_random, ticks: 90);
        var third = before.Store.TryCheckpoint()!;
        Assert.Equal(ClosedChunks(before.Memory), ChunkRecords().Sum());
        Assert.Equal(2, ChunkRecords().Count);
        Assert.InRange(third.ChunkBytes, 1, first.ChunkBytes * 2);
        before.Push(_random, ticks: 7);
        var expected = DurableStoreFixture.Contents(before.Memory);
        before.Crash();

        await using var after = await DurableStoreFixture.StartAsync(_directory, _clock);
        Assert.Equal(expected, DurableStoreFixture.Contents(after.Memory));
        Assert.DoesNotContain(after.Log.Lines, l => l.Level >= LogLevel.Warning);
        // Loaded places are trusted: the next checkpoint writes only the chunks closed since (a
        // series' first chunk closes at its own length, so the log's replay may close some).
        var closedSince = ClosedChunks(after.Memory) - ChunkRecords().Sum();
        var next = after.Store.TryCheckpoint()!;
        Assert.Equal(ClosedChunks(after.Memory), ChunkRecords().Sum());
        Assert.Equal(closedSince == 0, next.ChunkBytes == 0);
    }

    [Fact]
    public async Task A_chunk_file_goes_once_none_of_its_chunks_is_in_the_window()
    {
        var before = await DurableStoreFixture.StartAsync(_directory, _clock, o => o.Retention = TimeSpan.FromMinutes(10));
        before.Push(_random, ticks: 100);
        before.Store.TryCheckpoint();
        var oldFile = Assert.Single(Directory.GetFiles(ChunkDirectory));

        // 200 ticks of 5 s later the chunks of the first file (the first 90 ticks) are past 10 minutes.
        before.Push(_random, ticks: 200);
        before.Memory.Sweep();
        var checkpoint = before.Store.TryCheckpoint()!;

        Assert.Equal(1, checkpoint.ChunkFilesDeleted);
        Assert.False(File.Exists(oldFile));
        var expected = DurableStoreFixture.Contents(before.Memory);
        before.Crash();
        await using var after = await DurableStoreFixture.StartAsync(_directory, _clock, o => o.Retention = TimeSpan.FromMinutes(10));
        Assert.Equal(expected, DurableStoreFixture.Contents(after.Memory));
    }

    [Fact]
    public async Task A_failed_checkpoint_leaves_no_place_that_a_later_one_names()
    {
        var before = await DurableStoreFixture.StartAsync(_directory, _clock);
        before.Push(_random, ticks: 100);
        // A folder where the checkpoint is to be renamed to: it fails after writing its chunks.
        var blocked = Enumerable.Range(1, 9).Select(n => Path.Combine(_directory, "checkpoint." + WriteAheadLog.SegmentName(n))).ToList();
        blocked.ForEach(path => Directory.CreateDirectory(path));

        Assert.Null(before.Store.TryCheckpoint());
        Assert.Contains(before.Log.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("failed", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(ChunkDirectory));

        blocked.ForEach(path => Directory.Delete(path));
        var checkpoint = before.Store.TryCheckpoint()!;
        Assert.Equal(ClosedChunks(before.Memory), ChunkRecords().Sum());
        Assert.True(checkpoint.ChunkBytes > 0);
        var expected = DurableStoreFixture.Contents(before.Memory);
        before.Crash();

        await using var after = await DurableStoreFixture.StartAsync(_directory, _clock);
        Assert.Equal(expected, DurableStoreFixture.Contents(after.Memory));
        Assert.DoesNotContain(after.Log.Lines, l => l.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_damaged_chunk_loses_its_own_entity_only_and_is_logged()
    {
        var before = await DurableStoreFixture.StartAsync(_directory, _clock);
        before.Push(_random, ticks: 100);
        before.Store.TryCheckpoint();
        var expected = DurableStoreFixture.Contents(before.Memory);
        before.Crash();
        var file = Assert.Single(Directory.GetFiles(ChunkDirectory));
        var bytes = File.ReadAllBytes(file);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(file, bytes);

        await using var after = await DurableStoreFixture.StartAsync(_directory, _clock);
        var loaded = DurableStoreFixture.Contents(after.Memory);
        Assert.Equal(expected.Count - 1, loaded.Count);
        Assert.Empty(loaded.Except(expected));
        Assert.Contains(after.Log.Lines, l => l.Level == LogLevel.Warning
            && l.Text.Contains("loaded, but not all of it: the chunk it names at byte", StringComparison.Ordinal)
            && l.Text.Contains("is not there, whole and intact", StringComparison.Ordinal));
    }

    /// <summary>Chunk records in each chunk file, oldest file first.</summary>
    private List<int> ChunkRecords() =>
        [.. Directory.GetFiles(ChunkDirectory).Order(StringComparer.Ordinal).Select(path =>
        {
            using var stream = File.OpenRead(path);
            var scan = RecordFile.Read(stream, (kind, _) => Assert.Equal(RecordKind.Chunk, kind));
            Assert.Null(scan.Problem);
            return scan.Records;
        })];

    private static int ClosedChunks(InMemoryMetricsStore store) =>
        store.NodeImages().Sum(n => n.Series.Chunks.Count)
        + store.PodImages().Sum(p => p.Series.Chunks.Count);
}

using System.Security.Cryptography;
using System.Text;
using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Storage.Durable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KubeMonitor.Facade.Tests.Durable;

/// <summary>
/// An upgrade keeps its window: a checkpoint written by the last facade of format version 1 (heads
/// as decoded rows; Data/checkpoint-v1/README.md) loads into the same store it was taken of, and
/// the store goes on from it in the current format.
/// </summary>
public sealed class VersionOneCheckpointTests : IDisposable
{
    // What DurableStoreFixture.Contents gave on the version 1 facade that wrote the checkpoint.
    private const string ContentsSha256 = "610db3ddb3000756499b48954a7ceb472004a5000c09b0cc353d63b34779fa18";
    private const int ContentLines = 12;

    private readonly string _directory = DurableStoreFixture.NewDirectory();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_500_000));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_version_1_checkpoint_loads_as_the_store_it_was_taken_of_and_the_store_goes_on_in_version_2()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Durable", "Data", "checkpoint-v1", "checkpoint.00000001");
        File.Copy(source, Path.Combine(_directory, "checkpoint.00000001"));

        var loaded = await DurableStoreFixture.StartAsync(_directory, _clock);
        var contents = DurableStoreFixture.Contents(loaded.Memory);
        Assert.Equal(ContentLines, contents.Count);
        Assert.Equal(ContentsSha256, Sha256(contents));
        Assert.DoesNotContain(loaded.Log.Lines, l => l.Level >= LogLevel.Warning);

        loaded.Push(new Random(12), ticks: 20);
        var checkpoint = loaded.Store.TryCheckpoint()!;
        var expected = DurableStoreFixture.Contents(loaded.Memory);
        loaded.Crash();
        Assert.Equal(FormatHeader.CurrentVersion, HeaderOf(checkpoint.Path).Version);
        // The log's records are as in version 1, and its segments say so: a rollback replays them.
        Assert.All(WriteAheadLog.Segments(WriteAheadLog.SegmentsIn(_directory)), s => Assert.Equal(1, HeaderOf(s.Path).Version));

        await using var again = await DurableStoreFixture.StartAsync(_directory, _clock);
        Assert.Equal(expected, DurableStoreFixture.Contents(again.Memory));
    }

    private static string Sha256(List<string> lines) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines))));

    private static FormatHeader HeaderOf(string path)
    {
        using var file = File.OpenRead(path);
        var frames = new FrameReader(file);
        Assert.True(frames.Next().IsRecord);
        return FormatHeader.Read(frames.Payload);
    }
}

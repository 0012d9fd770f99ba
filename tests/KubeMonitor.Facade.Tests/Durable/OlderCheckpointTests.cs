using System.Security.Cryptography;
using System.Text;
using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Storage.Durable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KubeMonitor.Facade.Tests.Durable;

/// <summary>
/// An upgrade keeps its window: a checkpoint written by the last facade of each older format
/// (version 1: heads as decoded rows; version 2: closed chunks in the checkpoint; version 3: rows
/// without the steady-columns bit, chunks in chunk files; version 4: every column coded from its own
/// past; version 5: each container in a series of its own; Data/*/README.md) loads into the same store
/// it was taken of, and the store goes on from it in the current format.
/// </summary>
public sealed class OlderCheckpointTests : IDisposable
{
    private const int ContentLines = 12;

    private readonly string _directory = DurableStoreFixture.NewDirectory();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_500_000));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    // The last argument: what DurableStoreFixture.Contents gave on the facade that wrote the checkpoint (its README).
    [InlineData("checkpoint-v1", 1, "610db3ddb3000756499b48954a7ceb472004a5000c09b0cc353d63b34779fa18")]
    [InlineData("checkpoint-v2", 2, "186472d0c6f0c4883c20c5520eda77aabe59fc91637b4a75ac585764e2650e3e")]
    [InlineData("checkpoint-v3", 3, "186810c3f9ad37cb1d8adae7e7913cd472307dbceaf1a8ee3d3bbc30eb81d579")]
    [InlineData("checkpoint-v4", 4, "799d208a7c9c2e4a43611e55c44b9bca9dcb2828290221baa468530bd352e4b4")]
    [InlineData("checkpoint-v5", 5, "16cca5b5de7682c6c5c82230d529f6f973680c8b9fd5c4aea75a0a5ed47c6dc4")]
    public async Task An_older_checkpoint_loads_as_the_store_it_was_taken_of_and_the_store_goes_on_in_the_current_format(string folder, int version, string contentsSha256)
    {
        var folderPath = Path.Combine(AppContext.BaseDirectory, "Durable", "Data", folder);
        var source = Path.Combine(folderPath, "checkpoint.00000001");
        Assert.Equal(version, HeaderOf(source).Version);
        // The checkpoint with the chunk files it names (version 3 on), as the data directory held them.
        foreach (var file in Directory.GetFiles(folderPath, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "README.md"))
        {
            var target = Path.Combine(_directory, Path.GetRelativePath(folderPath, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var loaded = await DurableStoreFixture.StartAsync(_directory, _clock);
        var contents = DurableStoreFixture.Contents(loaded.Memory);
        Assert.Equal(ContentLines, contents.Count);
        Assert.Equal(contentsSha256, Sha256(contents));
        Assert.DoesNotContain(loaded.Log.Lines, l => l.Level >= LogLevel.Warning);

        loaded.Push(new Random(12), ticks: 20);
        var checkpoint = loaded.Store.TryCheckpoint()!;
        var expected = DurableStoreFixture.Contents(loaded.Memory);
        loaded.Crash();
        Assert.Equal(FormatHeader.CurrentVersion, HeaderOf(checkpoint.Path).Version);
        // Its closed chunks had no place in a chunk file yet: the first checkpoint writes each once.
        Assert.True(checkpoint.ChunkBytes > 0);
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

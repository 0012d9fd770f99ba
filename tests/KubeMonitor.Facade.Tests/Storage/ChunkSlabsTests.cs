using System.Diagnostics;
using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Tests.Storage;

public class ChunkSlabsTests
{
    // Each test places its chunks in minutes of its own, far from any other test's timestamps.
    private const long MinuteMs = 60_000;

    [Fact]
    public void A_chunk_reads_back_its_two_parts_in_order()
    {
        var newest = Minute(1) + 59_999;
        var chunk = ChunkSlabs.CopyOf(newest, [1, 2, 3], [4, 5]);
        try
        {
            Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, ChunkSlabs.Bytes(chunk).ToArray());
        }
        finally
        {
            ChunkSlabs.Free(chunk);
        }
    }

    [Fact]
    public void Chunks_of_one_minute_share_a_slab_and_the_next_minute_starts_another()
    {
        var first = ChunkSlabs.CopyOf(Minute(2), new byte[100], []);
        var second = ChunkSlabs.CopyOf(Minute(2) + 59_999, new byte[50], new byte[10]);
        var next = ChunkSlabs.CopyOf(Minute(3), new byte[100], []);
        try
        {
            Assert.Equal(first.Slab, second.Slab);
            Assert.Equal(first.Offset + 100, second.Offset);
            Assert.NotEqual(first.Slab, next.Slab);
        }
        finally
        {
            ChunkSlabs.Free(first);
            ChunkSlabs.Free(second);
            ChunkSlabs.Free(next);
        }
    }

    [Fact]
    public void A_minute_whose_chunks_are_all_freed_starts_a_fresh_slab()
    {
        var first = ChunkSlabs.CopyOf(Minute(4), new byte[100], []);
        var second = ChunkSlabs.CopyOf(Minute(4), new byte[100], []);
        ChunkSlabs.Free(first);
        var third = ChunkSlabs.CopyOf(Minute(4), new byte[100], []);
        Assert.Equal((second.Slab, 200), (third.Slab, third.Offset)); // one chunk still holds the slab: the next goes after it
        ChunkSlabs.Free(second);
        ChunkSlabs.Free(third);

        var again = ChunkSlabs.CopyOf(Minute(4), new byte[100], []);
        Assert.Equal(0, again.Offset);
        ChunkSlabs.Free(again);
    }

    [Fact]
    public void A_full_slab_is_followed_by_another_for_the_same_minute()
    {
        var chunks = new List<SlabChunk>();
        try
        {
            const int Length = ChunkSlabs.SlabBytes / 10;
            for (var i = 0; i < 11; i++) chunks.Add(ChunkSlabs.CopyOf(Minute(5), new byte[Length], []));
            Assert.Equal(2, chunks.Select(c => c.Slab).Distinct().Count());
            Assert.All(chunks.Skip(10), c => Assert.Equal(0, c.Offset));
        }
        finally
        {
            foreach (var chunk in chunks) ChunkSlabs.Free(chunk);
        }
    }

    [Fact]
    public void A_large_chunk_gets_a_slab_of_its_own()
    {
        var small = ChunkSlabs.CopyOf(Minute(6), new byte[10], []);
        var content = Enumerable.Range(0, ChunkSlabs.SlabBytes * 2).Select(i => (byte)i).ToArray();
        var large = ChunkSlabs.CopyOf(Minute(6), content, []);
        var after = ChunkSlabs.CopyOf(Minute(6), new byte[10], []);
        try
        {
            Assert.NotEqual(small.Slab, large.Slab);
            Assert.Equal(0, large.Offset);
            Assert.True(ChunkSlabs.Bytes(large).SequenceEqual(content));
            Assert.Equal((small.Slab, 10), (after.Slab, after.Offset)); // small chunks of the minute still go together
        }
        finally
        {
            ChunkSlabs.Free(small);
            ChunkSlabs.Free(large);
            ChunkSlabs.Free(after);
        }
    }

    [Fact]
    public void An_empty_chunk_takes_no_place()
    {
        var chunk = ChunkSlabs.CopyOf(Minute(7), [], []);
        Assert.Equal(default, chunk);
        Assert.True(ChunkSlabs.Bytes(chunk).IsEmpty);
        ChunkSlabs.Free(chunk);
    }

    [Fact]
    public async Task Chunks_made_and_freed_on_many_threads_keep_their_bytes()
    {
        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            var random = new Random(worker);
            var held = new List<(SlabChunk Chunk, byte[] Content)>();
            for (var i = 0; i < 20_000; i++)
            {
                if (held.Count > 0 && random.Next(3) == 0)
                {
                    var at = random.Next(held.Count);
                    var (chunk, content) = held[at];
                    Assert.True(ChunkSlabs.Bytes(chunk).SequenceEqual(content));
                    ChunkSlabs.Free(chunk);
                    held.RemoveAt(at);
                    continue;
                }
                var bytes = new byte[random.Next(1, 3000)];
                random.NextBytes(bytes);
                held.Add((ChunkSlabs.CopyOf(Minute(10 + random.Next(4)), bytes.AsSpan(0, bytes.Length / 2), bytes.AsSpan(bytes.Length / 2)), bytes));
            }
            foreach (var (chunk, content) in held)
            {
                Assert.True(ChunkSlabs.Bytes(chunk).SequenceEqual(content));
                ChunkSlabs.Free(chunk);
            }
        })).ToArray();
        await Task.WhenAll(workers);
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(SlabChunk.MaxSlab, ChunkSlabs.SlabBytes - 1, SlabChunk.MaxLength)]
    [InlineData(12345, 67890, 1000)]
    public void A_place_keeps_its_three_numbers_in_8_bytes(int slab, int offset, int length)
    {
        var place = new SlabChunk(slab, offset, length);
        Assert.Equal((slab, offset, length), (place.Slab, place.Offset, place.Length));
        Assert.Equal(8, System.Runtime.CompilerServices.Unsafe.SizeOf<SlabChunk>());
    }

    [Theory]
    [InlineData(SlabChunk.MaxSlab + 1, 0, 1)]
    [InlineData(1, ChunkSlabs.SlabBytes, 1)]
    [InlineData(1, 0, SlabChunk.MaxLength + 1)]
    [InlineData(-1, 0, 1)]
    public void A_place_that_does_not_fit_is_refused(int slab, int offset, int length)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SlabChunk(slab, offset, length));
    }

    private static long Minute(int n) => (30_000_000L + n) * MinuteMs;
}

/// <summary>Reads the process's RSS: runs alone, beside <see cref="AllocatorTrimTests"/>.</summary>
[Collection(nameof(ProcessMemory))]
public class ChunkSlabsMemoryTests
{
    [Fact]
    public void A_minute_of_chunks_leaves_RSS_when_its_last_chunk_goes()
    {
        const int Chunks = 64 * 1024, ChunkBytes = 1024; // 64 MiB of closed chunks, as a minute of 150,000 pods closes
        const long Minute = 30_100_000L * 60_000;
        var content = new byte[ChunkBytes];
        Array.Fill(content, (byte)0xA5);
        var expiring = new SlabChunk[Chunks];
        for (var i = 0; i < Chunks; i++) expiring[i] = ChunkSlabs.CopyOf(Minute + i % 60_000, content, []);
        var later = ChunkSlabs.CopyOf(Minute + 60_000, content, []); // the next minute's chunk stays, as in a live store
        try
        {
            var before = ResidentBytes();
            foreach (var chunk in expiring) ChunkSlabs.Free(chunk);
            var after = ResidentBytes();
            // No trim, no collection: the slabs themselves are unmapped.
            Assert.True(before - after > Chunks * ChunkBytes / 2, $"RSS {before >> 20} MiB before the minute's chunks went, {after >> 20} MiB after");
            Assert.True(ChunkSlabs.Bytes(later).SequenceEqual(content));
        }
        finally
        {
            ChunkSlabs.Free(later);
        }
    }

    private static long ResidentBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}

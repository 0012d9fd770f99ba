using System.Diagnostics;
using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Tests.Storage;

/// <summary>Reads the process's RSS, so it runs alone: another test's allocations would blur it.</summary>
[CollectionDefinition(nameof(ProcessMemory), DisableParallelization = true)]
public sealed class ProcessMemory;

[Collection(nameof(ProcessMemory))]
public class AllocatorTrimTests
{
    [Fact]
    public void Freed_blocks_below_a_live_one_go_back_to_the_system_when_trimmed()
    {
        const int Blocks = 64 * 1024, BlockBytes = 1024; // 64 MiB of heads, as a push that closes many chunks frees them
        var content = new byte[BlockBytes];
        var freed = new NativeBytes[Blocks];
        for (var i = 0; i < Blocks; i++) freed[i] = NativeBytes.CopyOf(content); // written, so their pages are resident
        var live = NativeBytes.CopyOf(content); // above them, so the allocator cannot shrink its heap by itself
        try
        {
            for (var i = 0; i < Blocks; i++) freed[i].Free();
            var before = ResidentBytes();
            Assert.True(AllocatorTrim.TryTrim(out var released), "glibc's malloc_trim is there on Linux");
            var after = ResidentBytes();
            Assert.True(released);
            Assert.True(before - after > Blocks * BlockBytes / 2, $"RSS {before >> 20} MiB before the trim, {after >> 20} MiB after");
        }
        finally
        {
            live.Free();
        }
    }

    private static long ResidentBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}

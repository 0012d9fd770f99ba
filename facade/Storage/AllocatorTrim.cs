using System.Runtime.InteropServices;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// Gives the C allocator's free pages back to the system (glibc's <c>malloc_trim</c>). The open
/// heads are malloc'd blocks (<see cref="NativeBytes"/>) that grow as they fill and are freed when
/// their chunk closes: the blocks they leave are holes between other heads, and glibc keeps
/// those pages, touched, in RSS (it trims only the top of a heap on its own). When closed chunks
/// were malloc'd blocks too, one trim took 364 MiB of 2,357 at 150,000 pods (docs/benchmarks.md,
/// "Steady columns in one bit, and the allocator's free pages given back"); they are in
/// <see cref="ChunkSlabs"/> now, which unmaps its own pages.
/// </summary>
internal static partial class AllocatorTrim
{
    private static volatile bool s_unavailable = !OperatingSystem.IsLinux();

    /// <summary>Returns whole free pages of every arena; false where there is no glibc to ask (musl, other systems).</summary>
    /// <param name="released">Whether any memory went back.</param>
    public static bool TryTrim(out bool released)
    {
        released = false;
        if (s_unavailable) return false;
        try
        {
            released = MallocTrim(0) != 0;
            return true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            s_unavailable = true;
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}

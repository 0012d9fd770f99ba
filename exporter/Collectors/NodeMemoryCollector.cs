using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Parsers;

namespace KubeMonitor.Exporter.Collectors;

/// <summary>
/// Node memory total and available bytes from /proc/meminfo (kB x 1024). Kernels before 3.14
/// have no MemAvailable; then available is estimated the way docs/api.md section 5 defines:
/// MemFree + Buffers + Cached + SReclaimable - Shmem.
/// </summary>
public sealed class NodeMemoryCollector(HostRoot root) : ICollector
{
    private const ulong BytesPerKb = 1024;

    public string Name => "meminfo";

    public void Collect(NodeSnapshot snapshot) =>
        snapshot.Memory = Memory(MeminfoParser.Parse(HostRoot.ReadFile(root.Proc("meminfo"))));

    /// <exception cref="FormatException">No MemAvailable and a line of the estimate missing.</exception>
    /// <exception cref="OverflowException">A value does not fit in 64 bits as bytes.</exception>
    internal static NodeMemory Memory(Meminfo meminfo)
    {
        var total = Bytes(meminfo.MemTotalKb, "MemTotal");
        if (meminfo.MemAvailableKb is { } available)
        {
            return new NodeMemory(total, Bytes(available, "MemAvailable"));
        }
        var estimate = checked(Required(meminfo.MemFreeKb, "MemFree") + Required(meminfo.BuffersKb, "Buffers")
            + Required(meminfo.CachedKb, "Cached") + Required(meminfo.SReclaimableKb, "SReclaimable"));
        var shmem = Required(meminfo.ShmemKb, "Shmem");
        // Shmem is inside Cached, so this stays positive on a sane kernel; never wrap below 0.
        return new NodeMemory(total, Bytes(estimate > shmem ? estimate - shmem : 0, "the MemAvailable estimate"));
    }

    private static ulong Bytes(ulong kb, string what) =>
        kb <= ulong.MaxValue / BytesPerKb
            ? kb * BytesPerKb
            : throw new OverflowException($"/proc/meminfo: {what} = {kb} kB does not fit in 64 bits as bytes.");

    private static ulong Required(ulong? kb, string key) =>
        kb ?? throw new FormatException($"/proc/meminfo: no MemAvailable and no {key} line to estimate it.");
}

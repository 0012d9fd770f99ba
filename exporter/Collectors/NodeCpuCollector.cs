using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Parsers;

namespace KubeMonitor.Exporter.Collectors;

/// <summary>
/// Node CPU usage seconds and capacity from /proc/stat (docs/api.md section 5): the sum over the
/// per-CPU lines of user + nice + system + irq + softirq, in USER_HZ ticks, as seconds. The
/// aggregate <c>cpu</c> line is not used (it can differ from the per-CPU sum by a few ticks,
/// and node_exporter sums the per-CPU lines). Guest time is already inside user; idle, iowait
/// and steal are not usage.
/// </summary>
public sealed class NodeCpuCollector(HostRoot root) : ICollector
{
    /// <summary>The kernel's USER_HZ: /proc/stat counts in 1/100 s on every Linux ABI.</summary>
    public const double UserHz = 100;

    public string Name => "cpu";

    public void Collect(NodeSnapshot snapshot) =>
        snapshot.Cpu = Usage(ProcStatParser.Parse(HostRoot.ReadFile(root.Proc("stat"))));

    /// <exception cref="OverflowException">The ticks add up to more than 64 bits.</exception>
    internal static NodeCpu Usage(ProcStat stat)
    {
        // Summed in whole ticks and divided once: a double sum would round counters above 2^53.
        ulong ticks = 0;
        foreach (var cpu in stat.Cpus)
        {
            foreach (var value in (ReadOnlySpan<ulong>)[cpu.User, cpu.Nice, cpu.System, cpu.Irq, cpu.SoftIrq])
            {
                ticks = ticks <= ulong.MaxValue - value ? ticks + value : throw new OverflowException("/proc/stat: CPU ticks overflow 64 bits.");
            }
        }
        return new NodeCpu(ticks / UserHz, stat.Cpus.Count);
    }
}

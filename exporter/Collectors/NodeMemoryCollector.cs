using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Parsers;

namespace KubeMonitor.Exporter.Collectors;

/// <summary>Node memory total and available bytes from /proc/meminfo.</summary>
public sealed class NodeMemoryCollector(HostRoot root) : ICollector
{
    public string Name => "meminfo";

    public void Collect(NodeSnapshot snapshot) =>
        snapshot.Memory = MeminfoParser.Parse(HostRoot.ReadFile(root.Proc("meminfo")));
}

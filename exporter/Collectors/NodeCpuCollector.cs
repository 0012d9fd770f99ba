using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Parsers;

namespace KubeMonitor.Exporter.Collectors;

/// <summary>Node CPU usage seconds and capacity from /proc/stat.</summary>
public sealed class NodeCpuCollector(HostRoot root) : ICollector
{
    public string Name => "cpu";

    public void Collect(NodeSnapshot snapshot) =>
        snapshot.Cpu = ProcStatParser.Parse(HostRoot.ReadFile(root.Proc("stat")));
}

using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Parsers;

namespace KubeMonitor.Exporter.Collectors;

/// <summary>Bytes read and written per block device (node_exporter 1.5's device set) from /proc/diskstats.</summary>
public sealed class NodeDiskCollector(HostRoot root) : ICollector
{
    public string Name => "diskstats";

    public void Collect(NodeSnapshot snapshot) =>
        snapshot.Disks = DiskstatsParser.Parse(HostRoot.ReadFile(root.Proc("diskstats")));
}

using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Parsers;

namespace KubeMonitor.Exporter.Collectors;

/// <summary>
/// Bytes received and transmitted per interface (lo included) from /proc/net/dev, as
/// node_exporter reads it. /proc/net is a link to self/net: it shows the network namespace of
/// the reading process, so the DaemonSet runs with hostNetwork (as node_exporter's does).
/// </summary>
public sealed class NodeNetworkCollector(HostRoot root) : ICollector
{
    public string Name => "netdev";

    public void Collect(NodeSnapshot snapshot) =>
        snapshot.Interfaces = NetDevParser.Parse(HostRoot.ReadFile(root.Proc("net", "dev")));
}

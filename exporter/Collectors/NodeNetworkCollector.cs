using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Parsers;

namespace KubeMonitor.Exporter.Collectors;

/// <summary>
/// Bytes received and transmitted per interface (lo included) from net/dev. /proc/net is a link
/// to self/net: the network namespace of the reading process, which in a pod is the pod's. The
/// host's init (pid 1 of the host's /proc) is always in the host's namespace, so its net/dev is
/// read when there is one, and the DaemonSet needs no hostNetwork. Trees without pid 1 (fixtures)
/// fall back to net/dev.
/// </summary>
public sealed class NodeNetworkCollector(HostRoot root) : ICollector
{
    public string Name => "netdev";

    public void Collect(NodeSnapshot snapshot) =>
        snapshot.Interfaces = Interfaces(NetDevParser.Parse(HostRoot.TryReadFile(root.Proc("1", "net", "dev")) ?? HostRoot.ReadFile(root.Proc("net", "dev"))));

    /// <summary>Every row as an interface; net/dev already counts in bytes.</summary>
    internal static IReadOnlyList<NetworkInterface> Interfaces(IReadOnlyList<NetDevRow> rows) =>
        [.. rows.Select(row => new NetworkInterface(row.Interface, row.ReceiveBytes, row.TransmitBytes))];
}

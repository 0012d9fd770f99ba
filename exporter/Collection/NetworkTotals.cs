namespace KubeMonitor.Exporter.Collection;

/// <summary>Bytes received and transmitted over a network namespace's interfaces, loopback left out.</summary>
public sealed record NetworkTotals(ulong ReceiveBytesTotal, ulong TransmitBytesTotal)
{
    /// <summary>Traffic a process sends itself, not the node's or the pod's.</summary>
    public const string Loopback = "lo";

    /// <summary>
    /// The one rule for network totals (docs/api.md section 5): a node's and a pod's totals are
    /// the sums over every interface but <c>lo</c>. Per-interface series keep lo.
    /// </summary>
    public static NetworkTotals Of(IEnumerable<NetworkInterface> interfaces)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        ulong rx = 0, tx = 0;
        foreach (var link in interfaces)
        {
            if (link.Name == Loopback) continue;
            rx += link.ReceiveBytesTotal;
            tx += link.TransmitBytesTotal;
        }
        return new NetworkTotals(rx, tx);
    }
}

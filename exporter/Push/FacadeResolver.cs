using System.Net;

namespace KubeMonitor.Exporter.Push;

/// <summary>Turns a facade host name into the addresses to push to (a headless Service gives one per pod).</summary>
public interface IFacadeResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The system resolver: in a cluster, CoreDNS answers a headless Service with every ready pod.</summary>
public sealed class DnsFacadeResolver : IFacadeResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}

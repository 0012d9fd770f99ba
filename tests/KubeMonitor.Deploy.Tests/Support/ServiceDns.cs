namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>
/// The Service a host name reaches from a pod with the cluster's default DNS policy: the pod's
/// search list is <c>&lt;namespace&gt;.svc.cluster.local svc.cluster.local cluster.local</c>, so
/// <c>name</c> is a Service of the pod's own namespace and <c>name.ns</c>, <c>name.ns.svc</c> and
/// <c>name.ns.svc.cluster.local</c> one of namespace <c>ns</c>.
/// </summary>
internal static class ServiceDns
{
    public static (string Service, string Namespace)? Resolve(string host, string podNamespace) =>
        host.Split('.') switch
        {
            [var service] => (service, podNamespace),
            [var service, var ns] => (service, ns),
            [var service, var ns, "svc"] => (service, ns),
            [var service, var ns, "svc", "cluster", "local"] => (service, ns),
            _ => null,
        };
}

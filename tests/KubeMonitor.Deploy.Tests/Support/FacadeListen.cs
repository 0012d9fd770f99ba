extern alias KubeFull;
using System.Globalization;
using KubeFull::k8s.Models;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>
/// Where the rendered facade container listens, read the way ASP.NET Core reads it: the
/// <c>--urls</c> argument (or <c>ASPNETCORE_URLS</c>), several URLs separated by ';', and the port
/// that alone takes pushes, <c>Facade:PushPort</c> (argument or <c>Facade__PushPort</c>), and the
/// HTTPS listener of metrics.k8s.io, <c>Facade:MetricsApi:Url</c>, which listens beside them.
/// </summary>
internal sealed record FacadeListen(IReadOnlyList<int> Ports, int? PushPort, int? MetricsApiPort)
{
    public static FacadeListen Of(V1Container container)
    {
        var urls = ContainerSettings.Of(container, "--urls", "ASPNETCORE_URLS")
            ?? throw new InvalidOperationException($"Container {container.Name} sets neither --urls nor ASPNETCORE_URLS.");
        var ports = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(PortOf).ToList();
        var push = ContainerSettings.Facade(container, "PushPort");
        int? metricsApi = ContainerSettings.Facade(container, "MetricsApi:Url") is { } url ? PortOf(url) : null;
        return new FacadeListen(
            metricsApi is { } port ? [.. ports, port] : ports,
            push is null ? null : int.Parse(push, NumberStyles.None, CultureInfo.InvariantCulture),
            metricsApi);
    }

    private static int PortOf(string url) =>
        new Uri(url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal)).Port;
}

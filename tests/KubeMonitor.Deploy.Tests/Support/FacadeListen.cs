extern alias KubeFull;
using System.Globalization;
using KubeFull::k8s.Models;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>
/// Where the rendered facade container listens, read the way ASP.NET Core reads it: the
/// <c>--urls</c> argument (or <c>ASPNETCORE_URLS</c>), several URLs separated by ';', and the port
/// that alone takes pushes, <c>Facade:PushPort</c> (argument or <c>Facade__PushPort</c>).
/// </summary>
internal sealed record FacadeListen(IReadOnlyList<int> Ports, int? PushPort)
{
    public static FacadeListen Of(V1Container container)
    {
        var urls = ContainerSettings.Of(container, "--urls", "ASPNETCORE_URLS")
            ?? throw new InvalidOperationException($"Container {container.Name} sets neither --urls nor ASPNETCORE_URLS.");
        var ports = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(url => new Uri(url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal)).Port)
            .ToList();
        var push = ContainerSettings.Facade(container, "PushPort");
        return new FacadeListen(ports, push is null ? null : int.Parse(push, NumberStyles.None, CultureInfo.InvariantCulture));
    }
}

extern alias KubeFull;
using KubeFull::k8s.Models;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>
/// An ASP.NET Core setting of a rendered container, read the way the configuration reads it: the
/// command line (<c>--name value</c> or <c>--name=value</c>) over the environment.
/// </summary>
internal static class ContainerSettings
{
    public static string? Of(V1Container container, string argument, string environment)
    {
        var args = container.Args?.ToList() ?? [];
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == argument && i + 1 < args.Count) return args[i + 1];
            if (args[i].StartsWith(argument + "=", StringComparison.Ordinal)) return args[i][(argument.Length + 1)..];
        }
        return container.Env?.SingleOrDefault(e => e.Name == environment)?.Value;
    }

    /// <summary>A key of the facade's section: "Prometheus:Url" is <c>--Facade:Prometheus:Url</c> or <c>Facade__Prometheus__Url</c>.</summary>
    public static string? Facade(V1Container container, string key) =>
        Of(container, "--Facade:" + key, "Facade__" + key.Replace(":", "__", StringComparison.Ordinal));

    /// <summary>Whether any setting of the facade's section under <paramref name="prefix"/> (e.g. "Auth:") is set.</summary>
    public static bool AnyFacade(V1Container container, string prefix) =>
        (container.Args ?? []).Any(a => a.StartsWith("--Facade:" + prefix, StringComparison.Ordinal))
        || (container.Env ?? []).Any(e => e.Name.StartsWith("Facade__" + prefix.Replace(":", "__", StringComparison.Ordinal), StringComparison.Ordinal));
}

using System.Globalization;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace KubeMonitor.Facade.MetricsApi;

/// <summary>
/// The metrics API's own HTTPS listener, added to the facade's other addresses (<c>--urls</c>,
/// <c>ASPNETCORE_URLS</c> or <c>ASPNETCORE_HTTP_PORTS</c>, as configured), not in their place. A
/// client certificate is asked for but not required; it is judged per request
/// (<see cref="FrontProxyAuthenticator"/>), so one from another CA is a 401 Status, not a failed handshake.
/// </summary>
internal static class MetricsListener
{
    public static void Add(WebApplicationBuilder builder, MetricsApiOptions options)
    {
        var addresses = ConfiguredAddresses(builder.WebHost);
        builder.WebHost.UseUrls([.. addresses, options.Url!]);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var logger = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MetricsListener));
            var certificate = ServingCertificate.Load(options, logger);
            kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ServerCertificate = certificate;
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.ClientCertificateValidation = static (_, _, _) => true;
            });
        });
    }

    /// <summary>The addresses Kestrel would bind without this listener (its own rules: urls, else the port lists, else its default).</summary>
    private static List<string> ConfiguredAddresses(ConfigureWebHostBuilder host)
    {
        if (host.GetSetting(WebHostDefaults.ServerUrlsKey) is { Length: > 0 } urls) return [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        var fromPorts = Ports(host.GetSetting(WebHostDefaults.HttpPortsKey), "http").Concat(Ports(host.GetSetting(WebHostDefaults.HttpsPortsKey), "https")).ToList();
        return fromPorts.Count > 0 ? fromPorts : ["http://localhost:5000"];
    }

    private static IEnumerable<string> Ports(string? ports, string scheme) =>
        (ports ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(port => string.Create(CultureInfo.InvariantCulture, $"{scheme}://*:{port}"));
}

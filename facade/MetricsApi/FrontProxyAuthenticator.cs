using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KubeMonitor.Facade.MetricsApi;

/// <summary>
/// Kubernetes' request-header authentication: a client certificate that chains to the
/// request-header CA, for client authentication, with an allowed CN, makes the
/// <c>X-Remote-User</c>, <c>X-Remote-Group</c> (each header one group) and <c>X-Remote-Extra-*</c>
/// headers the caller. Without such a certificate the headers say nothing.
/// </summary>
internal sealed class FrontProxyAuthenticator(RequestHeaderCa ca, MetricsApiOptions options, ILogger<FrontProxyAuthenticator> logger)
{
    private const string ExtraPrefix = "X-Remote-Extra-";
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>The caller the headers name, or null when the certificate is missing, not trusted, or names no user.</summary>
    public async ValueTask<Caller?> AuthenticateAsync(HttpContext context)
    {
        if (await context.Connection.GetClientCertificateAsync(context.RequestAborted) is not { } certificate) return null;
        if (!await IsTrustedAsync(certificate, context.RequestAborted)) return null;
        var headers = context.Request.Headers;
        if (headers["X-Remote-User"].FirstOrDefault() is not { Length: > 0 } user) return null;
        var groups = headers["X-Remote-Group"].Where(g => !string.IsNullOrEmpty(g)).Select(g => g!).ToList();
        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (name, values) in headers)
        {
            if (!name.StartsWith(ExtraPrefix, StringComparison.OrdinalIgnoreCase) || name.Length == ExtraPrefix.Length) continue;
            // Keys are lower case and URL-escaped on the wire (Kubernetes' front proxy writes them so).
            extra[Uri.UnescapeDataString(name[ExtraPrefix.Length..]).ToLowerInvariant()] = [.. values.Select(v => v ?? "")];
        }
        return new Caller(user, groups, extra);
    }

    private async ValueTask<bool> IsTrustedAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        if (await ca.GetAsync(cancellationToken) is not { Count: > 0 } roots) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        if (!chain.Build(certificate))
        {
            logger.LogDebug("Client certificate {Subject} does not chain to the request-header CA: {Status}",
                certificate.Subject, string.Join(", ", chain.ChainStatus.Select(s => s.Status)));
            return false;
        }
        var commonName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (options.RequestHeaderAllowedNames.Length > 0 && !options.RequestHeaderAllowedNames.Contains(commonName, StringComparer.Ordinal))
        {
            logger.LogDebug("Client certificate CN {CommonName} is not in RequestHeaderAllowedNames", commonName);
            return false;
        }
        return true;
    }
}

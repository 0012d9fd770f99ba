using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KubeMonitor.Facade.MetricsApi;

/// <summary>The listener's certificate: the configured PEM pair, or one made at start (as metrics-server does without one).</summary>
internal static class ServingCertificate
{
    public static X509Certificate2 Load(MetricsApiOptions options, ILogger logger)
    {
        if (!string.IsNullOrEmpty(options.TlsCertFile))
        {
            var pem = X509Certificate2.CreateFromPemFile(options.TlsCertFile, options.TlsKeyFile);
            logger.LogInformation("metrics.k8s.io: serving certificate {Subject} from {File}, valid until {NotAfter:u}", pem.Subject, options.TlsCertFile, pem.NotAfter.ToUniversalTime());
            return pem;
        }
        logger.LogInformation("metrics.k8s.io: no TlsCertFile, serving a self-signed certificate made at start");
        return SelfSigned(Dns.GetHostName());
    }

    /// <summary>ECDSA P-256, a year, for the host name, localhost and the loopback addresses.</summary>
    public static X509Certificate2 SelfSigned(string hostName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostName}@kubemonitor-facade", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostName);
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
    }
}

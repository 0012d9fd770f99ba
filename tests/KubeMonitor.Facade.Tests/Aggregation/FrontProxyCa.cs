using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KubeMonitor.Facade.Tests.Aggregation;

/// <summary>
/// A request-header (front-proxy) CA made at test time, as kubeadm makes <c>front-proxy-ca</c>,
/// and the client certificate kube-aggregator presents to aggregated API servers
/// (kubeadm's CN <c>front-proxy-client</c>, client-auth usage).
/// </summary>
internal sealed class FrontProxyCa : IDisposable
{
    public const string ClientName = "front-proxy-client";

    private readonly X509Certificate2 _ca;

    private FrontProxyCa(X509Certificate2 ca) => _ca = ca;

    public static FrontProxyCa Create(string commonName = "front-proxy-ca")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        return new FrontProxyCa(request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1)));
    }

    /// <summary>The CA certificate as PEM: what the facade is given as RequestHeaderClientCaFile.</summary>
    public string Pem => _ca.ExportCertificatePem();

    /// <summary>A client certificate signed by this CA, with its private key.</summary>
    public X509Certificate2 IssueClient(string commonName = ClientName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var now = DateTimeOffset.UtcNow;
        Span<byte> serial = stackalloc byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F; // a positive serial number
        using var issued = request.Create(_ca, now.AddMinutes(-5), now.AddHours(12), serial);
        return issued.CopyWithPrivateKey(key);
    }

    public void Dispose() => _ca.Dispose();
}

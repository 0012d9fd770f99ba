using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KubeMonitor.Facade.Tests.Aggregation;

/// <summary>
/// A CA made at test time, as kubeadm makes its own: the request-header CA (<c>front-proxy-ca</c>)
/// with the client certificate kube-aggregator presents to aggregated API servers (kubeadm's CN
/// <c>front-proxy-client</c>, client-auth usage), or the cluster CA with the API server's
/// serving certificate (kubectl sends its token over TLS only).
/// </summary>
internal sealed class TestCa : IDisposable
{
    public const string ClientName = "front-proxy-client";

    private readonly X509Certificate2 _ca;

    private TestCa(X509Certificate2 ca) => _ca = ca;

    public static TestCa Create(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        return new TestCa(request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1)));
    }

    /// <summary>The CA certificate as PEM: what the facade is given as RequestHeaderClientCaFile.</summary>
    public string Pem => _ca.ExportCertificatePem();

    /// <summary>The CA certificate as kubeconfig's certificate-authority-data.</summary>
    public string Base64Pem => Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(Pem));

    /// <summary>A client certificate signed by this CA, with its private key.</summary>
    public X509Certificate2 IssueClient(string commonName = ClientName) => Issue(commonName, "1.3.6.1.5.5.7.3.2", san: null);

    /// <summary>A serving certificate for 127.0.0.1 signed by this CA, with its private key.</summary>
    public X509Certificate2 IssueServer()
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        return Issue("127.0.0.1", "1.3.6.1.5.5.7.3.1", san.Build());
    }

    private X509Certificate2 Issue(string commonName, string usage, X509Extension? san)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], critical: false));
        if (san is not null) request.CertificateExtensions.Add(san);
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

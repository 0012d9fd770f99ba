using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KubeMonitor.Facade.Tests.MetricsApi;

/// <summary>
/// A certificate authority made at test time (no key is committed), and client certificates it
/// signs, as a front proxy's would be; <see cref="WriteCaFile"/> puts its certificate where the facade reads it.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificates(string caName)
    {
        var request = new CertificateRequest($"CN={caName}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        Ca = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
    }

    public X509Certificate2 Ca { get; }

    /// <summary>A client certificate with this CN, for client authentication (or only for servers, to be refused).</summary>
    public X509Certificate2 Client(string commonName, bool forClientAuthentication = true)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [forClientAuthentication ? ClientAuthentication : new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        using var signed = request.Create(Ca, now.AddHours(-1), now.AddHours(1), RandomNumberGenerator.GetBytes(8));
        // With its key, in a form SslStream can present on every platform.
        using var withKey = signed.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public string WriteCaFile(string directory)
    {
        var path = Path.Combine(directory, "requestheader-ca.crt");
        File.WriteAllText(path, Ca.ExportCertificatePem());
        return path;
    }

    public void Dispose()
    {
        Ca.Dispose();
        _caKey.Dispose();
    }
}

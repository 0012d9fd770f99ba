using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KubeMonitor.Exporter.Tests.Kubernetes;

/// <summary>
/// A cluster's certificates, made fresh: a CA and the API server's certificate for 127.0.0.1
/// signed by it, a second CA with a server certificate of its own (a server the kubeconfig does
/// not trust), and a client CA with a client certificate whose key is PKCS#1 RSA PEM, as
/// kubeadm and minikube write client-key-data.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    public X509Certificate2 Ca { get; } = Authority("CN=kubernetes-ca", ECDsa.Create(ECCurve.NamedCurves.nistP256));
    public X509Certificate2 OtherCa { get; } = Authority("CN=someone-else-ca", ECDsa.Create(ECCurve.NamedCurves.nistP256));
    public X509Certificate2 ClientCa { get; } = Authority("CN=kubernetes-client-ca", RSA.Create(2048));
    public X509Certificate2 Server { get; }
    public X509Certificate2 ServerFromOtherCa { get; }
    public X509Certificate2 Client { get; }

    /// <summary>The client certificate and its key as the PEM texts a kubeconfig holds.</summary>
    public string ClientCertificatePem { get; }
    public string ClientKeyPem { get; }

    /// <summary>The server certificates' DNS name besides 127.0.0.1, as kubeadm names the in-cluster service.</summary>
    public const string ServerDnsName = "kubernetes.default.svc";

    public TestCertificates()
    {
        Server = ServerCertificate(Ca);
        ServerFromOtherCa = ServerCertificate(OtherCa);
        using var clientKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=kubemonitor-exporter, O=system:nodes", clientKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], critical: false)); // client auth
        using var issued = request.Create(ClientCa, Now.AddDays(-1), Now.AddDays(1), Serial());
        Client = issued.CopyWithPrivateKey(clientKey);
        ClientCertificatePem = Client.ExportCertificatePem();
        ClientKeyPem = clientKey.ExportRSAPrivateKeyPem();
    }

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    /// <summary>A self-signed CA with <paramref name="key"/> (disposed here): it signs only certificates of its own key type.</summary>
    private static X509Certificate2 Authority(string subject, AsymmetricAlgorithm key)
    {
        using var _ = key;
        var request = key is RSA rsa
            ? new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        // Outlives what it signs: an issued certificate may not end after its issuer.
        return request.CreateSelfSigned(Now.AddDays(-2), Now.AddDays(2));
    }

    /// <summary>An API server certificate for 127.0.0.1 and <see cref="ServerDnsName"/>.</summary>
    private static X509Certificate2 ServerCertificate(X509Certificate2 issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=kube-apiserver", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName(ServerDnsName);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false)); // server auth
        using var issued = request.Create(issuer, Now.AddDays(-1), Now.AddDays(1), Serial());
        return issued.CopyWithPrivateKey(key);
    }

    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number, as RFC 5280 asks
        return serial;
    }

    public void Dispose()
    {
        foreach (var certificate in new[] { Ca, OtherCa, ClientCa, Server, ServerFromOtherCa, Client }) certificate.Dispose();
    }
}

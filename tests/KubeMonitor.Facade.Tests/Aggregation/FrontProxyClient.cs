using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace KubeMonitor.Facade.Tests.Aggregation;

/// <summary>
/// kube-aggregator's call to an aggregated API server: HTTPS with the front-proxy client
/// certificate, the user in <c>X-Remote-User</c> and each group in an <c>X-Remote-Group</c> line
/// of its own (repeated lines, which HttpClient cannot send: it joins values into one line).
/// HTTP/1.0, so that the answer is the body up to the connection's end, never chunked. The server
/// certificate is not checked, as with the APIService's insecureSkipTLSVerify.
/// </summary>
internal sealed class FrontProxyClient(Uri server, X509Certificate2? clientCertificate)
{
    public sealed record Answer(int Status, string ContentType, byte[] Body);

    public async Task<Answer> GetAsync(string pathAndQuery, string? user, IReadOnlyList<string> groups, string accept, CancellationToken cancellation)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port, cancellation);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = server.Host,
            // Always this certificate: by default .NET sends one only when its issuer is among the
            // CAs the server lists, and Kestrel lists none of a CA made here.
            LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate!,
#pragma warning disable CA5359 // The APIService's insecureSkipTLSVerify: the facade's certificate is self-signed at its start.
            RemoteCertificateValidationCallback = static (_, _, _, _) => true,
#pragma warning restore CA5359
        }, cancellation);

        var request = new StringBuilder()
            .Append("GET ").Append(pathAndQuery).Append(" HTTP/1.0\r\n")
            .Append("Host: ").Append(server.Authority).Append("\r\n")
            .Append("Accept: ").Append(accept).Append("\r\n");
        if (user is not null) request.Append("X-Remote-User: ").Append(user).Append("\r\n");
        foreach (var group in groups) request.Append("X-Remote-Group: ").Append(group).Append("\r\n");
        request.Append("\r\n");
        await tls.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cancellation);
        await tls.FlushAsync(cancellation);

        using var response = new MemoryStream();
        await tls.CopyToAsync(response, cancellation);
        return Parse(response.ToArray());
    }

    private static Answer Parse(byte[] response)
    {
        var end = response.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0) throw new InvalidDataException("The facade's answer has no end of headers.");
        var head = Encoding.ASCII.GetString(response, 0, end).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var contentType = head.Skip(1).Select(l => l.Split(':', 2)).Where(h => h.Length == 2 && h[0].Trim().Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            .Select(h => h[1].Trim()).FirstOrDefault() ?? "application/json";
        return new Answer(status, contentType, response[(end + 4)..]);
    }
}

using System.Globalization;
using System.Net;

namespace KubeMonitor.Exporter.Push;

/// <summary>
/// The body of one push: the batch's JSON as serialized once, with <c>"sentAt"</c> (the
/// exporter's clock when the body is written, docs/api.md section 1) spliced in after its
/// opening brace. HttpClient writes the body again for every attempt, retries included, so each
/// attempt tells the facade its own send time, however long the batch waited in the buffer.
/// </summary>
internal sealed class SentAtContent : HttpContent
{
    /// <summary>RFC 3339 in UTC as the contract writes it, always with milliseconds: one length for every attempt's Content-Length.</summary>
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    private const int TimestampLength = 24;
    private static readonly byte[] Key = "{\"sentAt\":\""u8.ToArray();

    private readonly byte[] _json;
    private readonly TimeProvider _time;

    /// <param name="json">A JSON object as the contract serializes it (<c>{</c> first, no whitespace).</param>
    public SentAtContent(byte[] json, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length < 2 || json[0] != (byte)'{') throw new ArgumentException("A batch is a JSON object.", nameof(json));
        _json = json;
        _time = time;
    }

    /// <summary>The body's length for a batch's JSON: what one push sends.</summary>
    public static int BodyLength(byte[] json) => Key.Length + TimestampLength + 1 + (HasMembers(json) ? 1 : 0) + json.Length - 1;

    /// <summary>The first bytes of the body, up to the batch's own first member, stamped now.</summary>
    private byte[] Head()
    {
        var head = new byte[Key.Length + TimestampLength + 2];
        Key.CopyTo(head, 0);
        var stamped = _time.GetUtcNow().UtcDateTime.TryFormat(head.AsSpan(Key.Length), out var written, TimestampFormat, CultureInfo.InvariantCulture);
        if (!stamped || written != TimestampLength) throw new InvalidOperationException("A timestamp outside years 0001-9999.");
        head[Key.Length + TimestampLength] = (byte)'"';
        if (!HasMembers(_json)) return head[..^1];
        head[^1] = (byte)',';
        return head;
    }

    private static bool HasMembers(byte[] json) => json[1] != (byte)'}';

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Head(), cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(_json.AsMemory(1), cancellationToken).ConfigureAwait(false);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        stream.Write(Head());
        stream.Write(_json.AsSpan(1));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = BodyLength(_json);
        return true;
    }
}

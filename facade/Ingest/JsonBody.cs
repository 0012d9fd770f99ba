using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Unicode;
using System.Text.Json.Serialization.Metadata;
using KubeMonitor.Facade.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KubeMonitor.Facade.Ingest;

/// <summary>
/// Reads a push body by hand rather than by model binding, so that every way it can be wrong
/// has its own answer: 415 not application/json, 413 over the size limit (checked while reading,
/// a missing or lying Content-Length does not get past it), 400 not UTF-8 or not the contract's JSON.
/// </summary>
internal static class JsonBody
{
    public sealed record Outcome<T>(T? Value, ProblemHttpResult? Problem, string? RejectReason);

    /// <summary>
    /// A body read whole into a pooled buffer (a push is read once, then the buffer is given back
    /// by <see cref="Dispose"/>, not a new array per push), or the problem that stopped it.
    /// </summary>
    public readonly struct Bytes(byte[]? buffer, int length, ProblemHttpResult? problem, string? rejectReason) : IDisposable
    {
        public ReadOnlySpan<byte> Span => buffer.AsSpan(0, length);
        public ProblemHttpResult? Problem => problem;
        public string? RejectReason => rejectReason;

        public void Dispose()
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The body of a JSON push within <paramref name="maxBytes"/>, checked to be UTF-8.</summary>
    public static async Task<Bytes> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
        {
            return Fail(Problems.UnsupportedMediaType($"A push body must be application/json, not '{request.ContentType}'."), "unsupported_media_type");
        }
        if (request.ContentLength > maxBytes) return TooLarge(maxBytes);

        byte[] buffer;
        int length;
        try
        {
            (buffer, length) = await ReadCappedAsync(request.Body, request.ContentLength, maxBytes, cancellationToken);
        }
        catch (BadHttpRequestException e)
        {
            return Fail(TypedResults.Problem(e.Message, statusCode: e.StatusCode, title: "Bad request body"), "malformed");
        }
        var bytes = new Bytes(buffer, Math.Max(length, 0), null, null);
        if (length < 0)
        {
            bytes.Dispose();
            return TooLarge(maxBytes);
        }
        // JSON is UTF-8 (RFC 8259); a JSON reader only checks the strings it reads, not skipped unknown fields.
        if (!Utf8.IsValid(bytes.Span))
        {
            bytes.Dispose();
            return Fail(Problems.BadRequest("The body is not valid UTF-8."), "malformed");
        }
        return bytes;
    }

    /// <summary>The contract's object in a body (valid UTF-8), or why it is none.</summary>
    public static Outcome<T> Parse<T>(ReadOnlySpan<byte> body, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            var value = JsonSerializer.Deserialize(body, type);
            return value is null
                ? Fail<T>(Problems.BadRequest("The body is JSON null; a sample object is required."), "malformed")
                : new Outcome<T>(value, null, null);
        }
        catch (JsonException e)
        {
            return Fail<T>(Problems.BadRequest("The body is not a valid sample: " + e.Message), "malformed");
        }
    }

    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media)) return false;
        return string.Equals(media.MediaType, "application/json", StringComparison.OrdinalIgnoreCase)
            && (media.CharSet is null || string.Equals(media.CharSet.Trim('"'), "utf-8", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The body in a rented buffer (the caller returns it) and its length, or -1 as soon as it
    /// passes <paramref name="maxBytes"/>. Sized by Content-Length when given (one byte more shows
    /// a body longer than it said), grown by doubling otherwise.
    /// </summary>
    private static async Task<(byte[] Buffer, int Length)> ReadCappedAsync(Stream body, long? contentLength, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max((contentLength ?? 0) + 1, 16 * 1024), maxBytes + 1));
        var length = 0;
        try
        {
            int n;
            while ((n = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += n;
                if (length > maxBytes) return (buffer, -1);
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }
            return (buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static Bytes TooLarge(long maxBytes) =>
        Fail(Problems.TooLarge($"A push body may be at most {maxBytes} bytes."), "too_large");

    private static Bytes Fail(ProblemHttpResult problem, string reason) => new(null, 0, problem, reason);

    private static Outcome<T> Fail<T>(ProblemHttpResult problem, string reason) => new(default, problem, reason);
}

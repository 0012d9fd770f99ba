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
/// a missing or lying Content-Length does not get past it), 400 not the contract's JSON.
/// </summary>
internal static class JsonBody
{
    public sealed record Outcome<T>(T? Value, ProblemHttpResult? Problem, string? RejectReason);

    public static async Task<Outcome<T>> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, long maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        if (!IsJson(request.ContentType))
        {
            return Fail<T>(Problems.UnsupportedMediaType($"A push body must be application/json, not '{request.ContentType}'."), "unsupported_media_type");
        }
        if (request.ContentLength > maxBytes) return TooLarge<T>(maxBytes);

        byte[] body;
        try
        {
            var read = await ReadCappedAsync(request.Body, maxBytes, cancellationToken);
            if (read is null) return TooLarge<T>(maxBytes);
            body = read;
        }
        catch (BadHttpRequestException e)
        {
            return Fail<T>(TypedResults.Problem(e.Message, statusCode: e.StatusCode, title: "Bad request body"), "malformed");
        }

        // JSON is UTF-8 (RFC 8259); the parser only checks the strings it reads, not skipped unknown fields.
        if (!Utf8.IsValid(body)) return Fail<T>(Problems.BadRequest("The body is not valid UTF-8."), "malformed");
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

    /// <summary>The body, or null as soon as it passes <paramref name="maxBytes"/>.</summary>
    private static async Task<byte[]?> ReadCappedAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int n;
            while ((n = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + n > maxBytes) return null;
                buffer.Write(chunk, 0, n);
            }
            return buffer.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static Outcome<T> TooLarge<T>(long maxBytes) =>
        Fail<T>(Problems.TooLarge($"A push body may be at most {maxBytes} bytes."), "too_large");

    private static Outcome<T> Fail<T>(ProblemHttpResult problem, string reason) => new(default, problem, reason);
}

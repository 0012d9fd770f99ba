using System.IO.Pipelines;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Api;

/// <summary>
/// A whole list (<c>{"items":[...]}</c>, the JSON of <see cref="ItemList{T}"/>) written while it is
/// read from a lazy source: a slow client holds a few buffers, not the list. It stops as soon as
/// the connection is gone. System.Text.Json's own writer goes on serializing after a flush tells it
/// the client left, and the request's abort token is cancelled on the busy thread pool late, so an
/// abandoned 150,000-pod list used to be built to its end for nobody (docs/benchmarks.md, hostile
/// load: 8 closing readers cost 3 lists of CPU and stalled /livez for 3 s).
/// </summary>
internal sealed class StreamedList<T>(IEnumerable<T> items) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    /// <summary>Bytes serialized before each flush to the connection.</summary>
    private const int FlushBytes = 16 * 1024;

    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var options = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var itemType = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var body = response.BodyWriter;
        await using var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented });
        writer.WriteStartObject();
        writer.WriteStartArray(options.PropertyNamingPolicy?.ConvertName(nameof(ItemList<T>.Items)) ?? nameof(ItemList<T>.Items));
        try
        {
            long flushedAt = 0;
            foreach (var item in items)
            {
                // Serialize hands each item's bytes to the pipe (BytesCommitted); the pipe sends
                // nothing until flushed, and a flush waits while the client is slow.
                JsonSerializer.Serialize(writer, item, itemType);
                if (writer.BytesCommitted + writer.BytesPending - flushedAt < FlushBytes) continue;
                if (!await FlushAsync(writer, body, httpContext.RequestAborted)) return;
                flushedAt = writer.BytesCommitted;
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
            await FlushAsync(writer, body, httpContext.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client went away while a flush waited for it.
        }
    }

    /// <summary>False once the connection is gone: nothing more is worth making.</summary>
    private static async ValueTask<bool> FlushAsync(Utf8JsonWriter writer, PipeWriter body, CancellationToken aborted)
    {
        await writer.FlushAsync(aborted);
        var result = await body.FlushAsync(aborted);
        return !result.IsCompleted && !result.IsCanceled && !aborted.IsCancellationRequested;
    }

    /// <summary>OpenAPI: the answer is an <see cref="ItemList{T}"/>.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(ItemList<T>), ["application/json"]));
}

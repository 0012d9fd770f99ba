using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KubeMonitor.Facade.MetricsApi;

/// <summary>How the metrics API writes: Kubernetes JSON (camelCase, null members left out) and Status objects with their code.</summary>
internal static class Answer
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Quotes in a Status message as the API server writes them ("x" not found), not \u0022.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IResult Json<T>(T value) => TypedResults.Json(value, Options);

    public static IResult Status(KubeStatus status) => TypedResults.Json(status, Options, statusCode: status.Code);

    /// <summary>Writes a Status outside an endpoint (authentication, unknown paths).</summary>
    public static Task WriteAsync(HttpContext context, KubeStatus status) => Status(status).ExecuteAsync(context);
}

/// <summary>Kubernetes' time format (metav1.Time): RFC 3339 in UTC, whole seconds.</summary>
internal static class KubeTime
{
    public static string Of(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Of(long unixMs) => Of(DateTimeOffset.FromUnixTimeMilliseconds(unixMs));
}

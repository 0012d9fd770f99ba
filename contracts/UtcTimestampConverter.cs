using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KubeMonitor.Contracts;

/// <summary>
/// Writes timestamps as RFC 3339 in UTC with a 'Z' (docs/api.md section 1), whatever offset the value
/// carries. Reads ISO 8601 / RFC 3339 strings; one without an offset is UTC (the contract's
/// zone), never the reader's local time.
/// </summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TryRead(ref reader, out var value)
            ? value
            : throw new JsonException("A timestamp must be an RFC 3339 string such as \"2026-11-26T07:00:05Z\".");

    /// <summary>The timestamp at the reader (a string token), or false when it is none.</summary>
    public static bool TryRead(ref Utf8JsonReader reader, out DateTimeOffset value)
    {
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTime(out var time))
        {
            value = default;
            return false;
        }
        value = time.Kind == DateTimeKind.Unspecified
            ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc))
            : reader.GetDateTimeOffset();
        return true;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}

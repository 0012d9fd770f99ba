using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KubeMonitor.Contracts;

/// <summary>
/// Writes timestamps as RFC 3339 in UTC with a 'Z' (API.md section 1), whatever offset the value
/// carries; reads any RFC 3339 / ISO 8601 timestamp System.Text.Json accepts.
/// </summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}

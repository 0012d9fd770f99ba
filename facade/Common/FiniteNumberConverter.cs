using System.Text.Json;
using System.Text.Json.Serialization;

namespace KubeMonitor.Facade.Common;

/// <summary>
/// Writes a number that is not finite as null. Pushes are bounded (every value at most 2^64), so
/// every derived number is finite; this is the last guard that turns a bug into a null field
/// rather than a 500 on every read of the entity (System.Text.Json throws on NaN and Infinity).
/// </summary>
internal sealed class FiniteNumberConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteNullValue();
    }
}

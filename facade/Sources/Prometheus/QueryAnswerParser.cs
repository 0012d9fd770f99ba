using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KubeMonitor.Facade.Sources.Prometheus;

/// <summary>
/// Reads the JSON answer of <c>/api/v1/query</c> piece by piece, so that a big answer is never
/// held whole: each series is handed to <c>onSeries</c> as soon as its closing brace is read, and
/// the bytes before it can be dropped. <see cref="Parse"/> takes what has arrived so far and says
/// how much of it it used; a series cut by the end of the data is read again, whole, next time.
/// Knows matrices (<c>values</c>) and vectors (<c>value</c>); skips what it does not know.
/// </summary>
internal sealed class QueryAnswerParser
{
    private enum Level { Start, Root, Data, Result, Done }

    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _wanted;
    private readonly string? _wantedPrefix;
    private readonly HashSet<string> _strings = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _pool;
    private readonly Action<RawSeries> _onSeries;
    private readonly RawSeries _series = new();
    private JsonReaderState _state = new(new JsonReaderOptions { MaxDepth = 16 });
    private Level _level;

    /// <param name="wantedLabels">The labels to keep on each series (others are skipped unread).</param>
    /// <param name="wantedPrefix">Also keep every label whose name starts with this (<c>label_</c> of the labels metrics).</param>
    public QueryAnswerParser(IReadOnlySet<string> wantedLabels, Action<RawSeries> onSeries, string? wantedPrefix = null)
    {
        _wantedPrefix = wantedPrefix;
        _wanted = new HashSet<string>(wantedLabels, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        _pool = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
        _onSeries = onSeries;
    }

    public string? Status { get; private set; }

    public string? ErrorType { get; private set; }

    public string? Error { get; private set; }

    public string? ResultType { get; private set; }

    public int SeriesCount { get; private set; }

    /// <summary>Whether the answer's outer object has been read to its end.</summary>
    public bool Done => _level == Level.Done;

    /// <summary>Reads what it can of <paramref name="data"/> (what follows the bytes used last time).</summary>
    /// <returns>How many bytes it used: the rest must be given again, with more after it.</returns>
    /// <exception cref="JsonException">The answer is not the JSON of a query answer, or ends early.</exception>
    public int Parse(ReadOnlySpan<byte> data, bool isFinalBlock)
    {
        var reader = new Utf8JsonReader(data, isFinalBlock, _state);
        var used = 0;
        while (_level != Level.Done && Step(ref reader))
        {
            used = (int)reader.BytesConsumed;
            _state = reader.CurrentState;
        }
        if (isFinalBlock && _level != Level.Done) throw new JsonException("The answer ends before its JSON does.");
        return used;
    }

    /// <summary>Reads one whole piece (a token of the outer objects, or a series); false when the data ends inside it.</summary>
    private bool Step(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) return false;
        switch (_level)
        {
            case Level.Start:
                Expect(ref reader, JsonTokenType.StartObject, "the answer");
                _level = Level.Root;
                return true;
            case Level.Root:
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    _level = Level.Done;
                    return true;
                }
                if (reader.ValueTextEquals("data"u8))
                {
                    if (!reader.Read()) return false;
                    if (reader.TokenType == JsonTokenType.StartObject) _level = Level.Data;
                    else if (!reader.TrySkip()) return false;
                    return true;
                }
                if (reader.ValueTextEquals("status"u8)) return ReadString(ref reader, v => Status = v);
                if (reader.ValueTextEquals("errorType"u8)) return ReadString(ref reader, v => ErrorType = v);
                if (reader.ValueTextEquals("error"u8)) return ReadString(ref reader, v => Error = v);
                return SkipValue(ref reader);
            case Level.Data:
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    _level = Level.Root;
                    return true;
                }
                if (reader.ValueTextEquals("resultType"u8)) return ReadString(ref reader, v => ResultType = v);
                if (reader.ValueTextEquals("result"u8))
                {
                    if (!reader.Read()) return false;
                    if (reader.TokenType == JsonTokenType.StartArray) _level = Level.Result;
                    else if (!reader.TrySkip()) return false;
                    return true;
                }
                return SkipValue(ref reader);
            default:
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    _level = Level.Data;
                    return true;
                }
                // A scalar or string answer is [time, "value"]: nothing the source asks for.
                if (reader.TokenType != JsonTokenType.StartObject) return reader.TrySkip();
                return ReadSeries(ref reader);
        }
    }

    /// <summary>From a series' opening brace to its closing one, then hands it over.</summary>
    private bool ReadSeries(ref Utf8JsonReader reader)
    {
        _series.Clear();
        while (true)
        {
            if (!reader.Read()) return false;
            if (reader.TokenType == JsonTokenType.EndObject) break;
            Expect(ref reader, JsonTokenType.PropertyName, "a series");
            if (reader.ValueTextEquals("metric"u8))
            {
                if (!ReadLabels(ref reader)) return false;
            }
            else if (reader.ValueTextEquals("values"u8))
            {
                if (!reader.Read()) return false;
                Expect(ref reader, JsonTokenType.StartArray, "values");
                while (true)
                {
                    if (!reader.Read()) return false;
                    if (reader.TokenType == JsonTokenType.EndArray) break;
                    if (!ReadSample(ref reader)) return false;
                }
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                if (!reader.Read() || !ReadSample(ref reader)) return false;
            }
            else if (!SkipValue(ref reader))
            {
                return false;
            }
        }
        SeriesCount++;
        _onSeries(_series);
        return true;
    }

    private bool ReadLabels(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) return false;
        Expect(ref reader, JsonTokenType.StartObject, "metric");
        while (true)
        {
            if (!reader.Read()) return false;
            if (reader.TokenType == JsonTokenType.EndObject) return true;
            var name = Wanted(ref reader);
            if (!reader.Read()) return false;
            Expect(ref reader, JsonTokenType.String, "a label value");
            if (name is not null) _series.SetLabel(name, Pooled(ref reader));
        }
    }

    /// <summary><c>[1700000000.123, "1.5"]</c>, its opening bracket already read.</summary>
    private bool ReadSample(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartArray, "a sample");
        if (!reader.Read()) return false;
        Expect(ref reader, JsonTokenType.Number, "a sample's time");
        if (!reader.TryGetDecimal(out var seconds)) throw new JsonException("A sample's time is not a number of seconds.");
        if (!reader.Read()) return false;
        Expect(ref reader, JsonTokenType.String, "a sample's value");
        var value = SampleValue(ref reader);
        if (!reader.Read()) return false;
        Expect(ref reader, JsonTokenType.EndArray, "a sample");
        _series.Add((long)decimal.Round(seconds * 1000m), value);
        return true;
    }

    /// <summary>Prometheus writes values as strings: <c>"1.5"</c>, <c>"NaN"</c>, <c>"+Inf"</c>, <c>"-Inf"</c>.</summary>
    private static double SampleValue(ref Utf8JsonReader reader)
    {
        var text = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return value;
        if (text.SequenceEqual("+Inf"u8) || text.SequenceEqual("Inf"u8)) return double.PositiveInfinity;
        if (text.SequenceEqual("-Inf"u8)) return double.NegativeInfinity;
        throw new JsonException($"A sample's value '{Encoding.UTF8.GetString(text)}' is not a number.");
    }

    /// <summary>The label name as the one string kept for it, or null when it is not wanted.</summary>
    private string? Wanted(ref Utf8JsonReader reader)
    {
        Span<char> chars = stackalloc char[128];
        if (reader.ValueIsEscaped || reader.ValueSpan.Length > chars.Length)
        {
            var name = reader.GetString()!;
            if (_wanted.TryGetValue(name.AsSpan(), out var kept)) return kept;
            return HasWantedPrefix(name) ? Intern(name) : null;
        }
        var length = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
        if (_wanted.TryGetValue(chars[..length], out var wanted)) return wanted;
        if (!HasWantedPrefix(chars[..length])) return null;
        return _pool.TryGetValue(chars[..length], out var pooled) ? pooled : Intern(new string(chars[..length]));
    }

    private bool HasWantedPrefix(ReadOnlySpan<char> name) => _wantedPrefix is not null && name.StartsWith(_wantedPrefix, StringComparison.Ordinal);

    /// <summary>A label value, one string per distinct value in the answer (a namespace is on thousands of series).</summary>
    private string Pooled(ref Utf8JsonReader reader)
    {
        Span<char> chars = stackalloc char[256];
        if (reader.ValueIsEscaped || reader.ValueSpan.Length > chars.Length) return Intern(reader.GetString()!);
        var length = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
        if (_pool.TryGetValue(chars[..length], out var pooled)) return pooled;
        var value = new string(chars[..length]);
        _strings.Add(value);
        return value;
    }

    private string Intern(string value)
    {
        if (_strings.TryGetValue(value, out var pooled)) return pooled;
        _strings.Add(value);
        return value;
    }

    private static bool ReadString(ref Utf8JsonReader reader, Action<string?> set)
    {
        if (!reader.Read()) return false;
        set(reader.TokenType == JsonTokenType.String ? reader.GetString() : null);
        return reader.TokenType is JsonTokenType.String || reader.TrySkip();
    }

    private static bool SkipValue(ref Utf8JsonReader reader) => reader.Read() && reader.TrySkip();

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        if (reader.TokenType != type) throw new JsonException($"Expected {type} in {what}, found {reader.TokenType}.");
    }
}

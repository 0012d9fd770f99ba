using Google.Protobuf;

namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>
/// Encodes samples as a remote-write 1.0 <c>prometheus.WriteRequest</c> (prompb/remote.proto and
/// types.proto) with <see cref="CodedOutputStream"/>, so no protoc step is needed:
/// <code>
/// WriteRequest { repeated TimeSeries timeseries = 1; }
/// TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
/// Label        { string name = 1; string value = 2; }
/// Sample       { double value = 1; int64 timestamp = 2; }
/// </code>
/// Samples of the same label set become one TimeSeries. The spec requires labels sorted by name
/// (byte order, <c>__name__</c> among them) and each series' samples sorted by time.
/// </summary>
internal static class WriteRequestEncoder
{
    private const string MetricNameLabel = "__name__";

    public static byte[] Encode(IEnumerable<MetricSample> samples)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            foreach (var series in GroupIntoSeries(samples))
            {
                output.WriteTag(1, WireFormat.WireType.LengthDelimited);
                output.WriteLength(SeriesSize(series));
                WriteSeries(output, series);
            }
        }
        return buffer.ToArray();
    }

    private sealed record Series(IReadOnlyList<KeyValuePair<string, string>> Labels, List<MetricSample> Samples);

    private static List<Series> GroupIntoSeries(IEnumerable<MetricSample> samples)
    {
        var byLabelSet = new Dictionary<string, Series>(StringComparer.Ordinal);
        foreach (var sample in samples)
        {
            var labels = SortedLabels(sample);
            // \0 cannot occur in a label name and is rare enough in values for a test's key.
            var key = string.Join('\0', labels.Select(l => $"{l.Key}\0{l.Value}"));
            if (!byLabelSet.TryGetValue(key, out var series)) byLabelSet[key] = series = new Series(labels, []);
            series.Samples.Add(sample);
        }
        foreach (var series in byLabelSet.Values) series.Samples.Sort((a, b) => a.TimestampMs.CompareTo(b.TimestampMs));
        return [.. byLabelSet.Values];
    }

    private static List<KeyValuePair<string, string>> SortedLabels(MetricSample sample)
    {
        if (string.IsNullOrEmpty(sample.Name)) throw new ArgumentException("A sample needs a metric name.", nameof(sample));
        if (sample.Labels.ContainsKey(MetricNameLabel)) throw new ArgumentException($"{sample.Name}: the metric name goes in Name, not in a {MetricNameLabel} label.", nameof(sample));
        foreach (var (name, value) in sample.Labels)
        {
            // Prometheus reads an empty label as an absent one; sending it would make a series no scrape makes.
            if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(value)) throw new ArgumentException($"{sample.Name}: label '{name}' has an empty name or value; leave it out instead.", nameof(sample));
        }
        return [.. sample.Labels.Append(new(MetricNameLabel, sample.Name)).OrderBy(l => l.Key, StringComparer.Ordinal)];
    }

    private static void WriteSeries(CodedOutputStream output, Series series)
    {
        foreach (var (name, value) in series.Labels)
        {
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteLength(LabelSize(name, value));
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteString(name);
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteString(value);
        }
        foreach (var sample in series.Samples)
        {
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteLength(SampleSize(sample));
            output.WriteTag(1, WireFormat.WireType.Fixed64);
            output.WriteDouble(sample.Value);
            output.WriteTag(2, WireFormat.WireType.Varint);
            output.WriteInt64(sample.TimestampMs);
        }
    }

    private static int SeriesSize(Series series) =>
        series.Labels.Sum(l => Field(1, LabelSize(l.Key, l.Value))) + series.Samples.Sum(s => Field(2, SampleSize(s)));

    private static int LabelSize(string name, string value) =>
        CodedOutputStream.ComputeTagSize(1) + CodedOutputStream.ComputeStringSize(name)
        + CodedOutputStream.ComputeTagSize(2) + CodedOutputStream.ComputeStringSize(value);

    private static int SampleSize(MetricSample sample) =>
        CodedOutputStream.ComputeTagSize(1) + CodedOutputStream.ComputeDoubleSize(sample.Value)
        + CodedOutputStream.ComputeTagSize(2) + CodedOutputStream.ComputeInt64Size(sample.TimestampMs);

    /// <summary>The size of an embedded message field: its tag, its length prefix and its bytes.</summary>
    private static int Field(int fieldNumber, int size) =>
        CodedOutputStream.ComputeTagSize(fieldNumber) + CodedOutputStream.ComputeLengthSize(size) + size;
}

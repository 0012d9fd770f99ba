using System.Text;

namespace KubeMonitor.Facade.Tests.Prometheus;

public sealed class WriteRequestEncoderTests
{
    [Fact]
    public void Encodes_the_bytes_prompb_defines_with_samples_of_one_series_in_time_order()
    {
        // Given newest first; written as one TimeSeries, oldest first.
        var bytes = WriteRequestEncoder.Encode(
        [
            new MetricSample("a", new Dictionary<string, string>(), 1.0, 2),
            new MetricSample("a", new Dictionary<string, string>(), 0.5, 1),
        ]);

        // By hand from remote.proto/types.proto: field 1 length-delimited is tag 0x0A, field 2 is
        // 0x12; a double is tag 0x09 + 8 little-endian bytes, an int64 tag 0x10 + a varint.
        byte[] label = [0x0A, 8, .. "__name__"u8, 0x12, 1, (byte)'a'];
        byte[] earlier = [0x09, 0, 0, 0, 0, 0, 0, 0xE0, 0x3F, 0x10, 1];
        byte[] later = [0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x10, 2];
        byte[] series = [0x0A, (byte)label.Length, .. label, 0x12, (byte)earlier.Length, .. earlier, 0x12, (byte)later.Length, .. later];
        Assert.Equal([0x0A, (byte)series.Length, .. series], bytes);
    }

    [Fact]
    public void Labels_are_sorted_by_name_in_byte_order_with_the_metric_name_among_them()
    {
        var labels = new Dictionary<string, string> { ["zone"] = "z1", ["job"] = "j", ["Alpha"] = "x" };
        var text = Encoding.UTF8.GetString(WriteRequestEncoder.Encode([new MetricSample("m", labels, 1, 1)]));

        string[] names = ["Alpha", "__name__", "job", "zone"];
        var positions = names.Select(name => text.IndexOf(name, StringComparison.Ordinal)).ToArray();

        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
    }

    [Fact]
    public void Different_label_sets_are_different_series()
    {
        var one = WriteRequestEncoder.Encode([new MetricSample("m", new Dictionary<string, string> { ["pod"] = "a" }, 1, 1)]);
        var two = WriteRequestEncoder.Encode(
        [
            new MetricSample("m", new Dictionary<string, string> { ["pod"] = "a" }, 1, 1),
            new MetricSample("m", new Dictionary<string, string> { ["pod"] = "b" }, 1, 1),
        ]);

        Assert.Equal(2 * one.Length, two.Length);
        Assert.Equal(one, two[..one.Length]);
    }

    [Fact]
    public void An_empty_label_value_is_refused_rather_than_sent()
    {
        var sample = new MetricSample("m", new Dictionary<string, string> { ["deployment"] = "" }, 1, 1);
        var refused = Assert.Throws<ArgumentException>(() => WriteRequestEncoder.Encode([sample]));
        Assert.Contains("deployment", refused.Message, StringComparison.Ordinal);
    }
}

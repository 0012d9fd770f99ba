using System.Text;
using System.Text.Json;
using KubeMonitor.Facade.Sources.Prometheus;

namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>The answer of <c>/api/v1/query</c> read piece by piece, whatever the pieces the network cuts it into.</summary>
public sealed class QueryAnswerParserTests
{
    // Shaped as Prometheus 2.42 writes it: status first, then data, a warnings member after.
    private const string Matrix = """
        {"status":"success","data":{"resultType":"matrix","result":[
          {"metric":{"__name__":"kubemonitor_node_disk_read_bytes_total","device":"sda","node":"node-1","test_case":"t"},
           "values":[[1795676405.25,"100"],[1795676410,"1.5e3"],[1795676415.001,"NaN"]]},
          {"metric":{"__name__":"kubemonitor_node_network_receive_bytes_total","interface":"lo","node":"node-\u0031"},
           "values":[[1795676405.25,"+Inf"],[1795676410,"-Inf"]]}
        ]},"warnings":["a warning",{"nested":[1,2]}]}
        """;

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public async Task A_matrix_gives_each_series_with_the_wanted_labels_and_raw_samples(int bytesPerRead)
    {
        var (parser, series) = await ReadAsync(Matrix, bytesPerRead, "__name__", "node", "interface");

        Assert.Equal("success", parser.Status);
        Assert.Equal("matrix", parser.ResultType);
        Assert.Equal(2, parser.SeriesCount);
        Assert.Equal(
        [
            "__name__=kubemonitor_node_disk_read_bytes_total,node=node-1 | 1795676405250=100 1795676410000=1500 1795676415001=NaN",
            "__name__=kubemonitor_node_network_receive_bytes_total,interface=lo,node=node-1 | 1795676405250=Infinity 1795676410000=-Infinity",
        ], series);
    }

    [Fact]
    public async Task A_vector_gives_its_one_sample_per_series()
    {
        const string vector = """
            {"status":"success","data":{"resultType":"vector","result":[
              {"metric":{"namespace":"a","pod":"p-1","node":"n"},"value":[1795676405.5,"1"]},
              {"metric":{},"value":[1795676405.5,"2"]}]}}
            """;

        var (parser, series) = await ReadAsync(vector, 3, "namespace", "pod");

        Assert.Equal("vector", parser.ResultType);
        Assert.Equal(["namespace=a,pod=p-1 | 1795676405500=1", " | 1795676405500=2"], series);
    }

    [Fact]
    public async Task An_error_answer_gives_its_status_type_and_message_and_no_series()
    {
        var (parser, series) = await ReadAsync("""{"status":"error","errorType":"bad_data","error":"parse error: unexpected \"}\""}""", 5);

        Assert.Equal("error", parser.Status);
        Assert.Equal("bad_data", parser.ErrorType);
        Assert.Equal("parse error: unexpected \"}\"", parser.Error);
        Assert.Empty(series);
    }

    [Fact]
    public async Task Members_it_does_not_know_are_skipped_wherever_they_are()
    {
        const string answer = """
            {"data":{"extra":{"a":[1,{"b":2}]},"result":[
              {"histograms":[[1,{"count":"2"}]],"metric":{"__name__":"m"},"values":[[1.5,"3"]],"more":null}],
             "resultType":"matrix"},"infos":["x"],"status":"success"}
            """;

        var (parser, series) = await ReadAsync(answer, 2, "__name__");

        Assert.Equal("success", parser.Status);
        Assert.Equal(["__name__=m | 1500=3"], series);
    }

    [Fact]
    public async Task A_series_bigger_than_the_first_buffer_is_read_whole()
    {
        var values = string.Join(",", Enumerable.Range(0, 20_000).Select(i => $"[{1795676400 + i},\"{i}\"]"));
        var answer = """{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"big"},"values":[""" + values + "]}]}}";
        var count = 0;
        double last = 0;
        var parser = new QueryAnswerParser(new HashSet<string>(), s => { count = s.Count; last = s.Values[^1]; });

        await QueryAnswerReader.ReadAsync(new TrickleStream(Encoding.UTF8.GetBytes(answer), 1000), parser, CancellationToken.None);

        Assert.Equal(20_000, count);
        Assert.Equal(19_999, last);
    }

    [Theory]
    [InlineData("<html>502 Bad Gateway</html>")]
    [InlineData("""{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"x"]]}]}}""")]
    [InlineData("""{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[["1","2"]]}]}}""")]
    [InlineData("""{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"}""")]
    [InlineData("")]
    [InlineData("[1,2]")]
    public async Task What_is_not_a_whole_query_answer_is_a_JsonException(string answer)
    {
        await Assert.ThrowsAnyAsync<JsonException>(() => ReadAsync(answer, 4));
    }

    private static async Task<(QueryAnswerParser Parser, List<string> Series)> ReadAsync(string json, int bytesPerRead, params string[] labels)
    {
        var series = new List<string>();
        var parser = new QueryAnswerParser(new HashSet<string>(labels), s => series.Add(Render(s, labels)));
        await QueryAnswerReader.ReadAsync(new TrickleStream(Encoding.UTF8.GetBytes(json), bytesPerRead), parser, CancellationToken.None);
        return (parser, series);
    }

    private static string Render(RawSeries series, string[] labels)
    {
        var shown = labels.Order(StringComparer.Ordinal).Where(l => series.Label(l) is not null).Select(l => $"{l}={series.Label(l)}");
        var samples = new List<string>();
        for (var i = 0; i < series.Count; i++) samples.Add($"{series.Timestamps[i]}={series.Values[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        return $"{string.Join(",", shown)} | {string.Join(" ", samples)}";
    }
}

/// <summary>A stream that hands out at most so many bytes a read, as a slow network does.</summary>
internal sealed class TrickleStream(byte[] data, int bytesPerRead) : MemoryStream(data)
{
    public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, bytesPerRead));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        base.ReadAsync(buffer[..Math.Min(buffer.Length, bytesPerRead)], cancellationToken);
}

using System.Net.Http.Headers;
using Snappier;

namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>
/// A Prometheus remote-write 1.0 sender (https://prometheus.io/docs/concepts/remote_write_spec/):
/// a snappy block-compressed WriteRequest POSTed to <c>api/v1/write</c> with the headers the spec
/// requires. Anything but a 2xx throws with Prometheus's answer, so a test never reads back data
/// that was silently refused.
/// </summary>
public sealed class RemoteWriter(HttpClient http, Uri prometheusUrl)
{
    private static readonly ProductInfoHeaderValue UserAgent = new("kubemonitor-facade-tests", "1.0");

    public async Task WriteAsync(IEnumerable<MetricSample> samples, CancellationToken cancellationToken = default)
    {
        var body = Snappy.CompressToArray(WriteRequestEncoder.Encode(samples));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(prometheusUrl, "api/v1/write"))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        request.Content.Headers.ContentEncoding.Add("snappy");
        request.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        request.Headers.UserAgent.Add(UserAgent);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var answer = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"Prometheus refused the remote write ({(int)response.StatusCode} {response.StatusCode}): {answer.Trim()}");
        }
    }
}

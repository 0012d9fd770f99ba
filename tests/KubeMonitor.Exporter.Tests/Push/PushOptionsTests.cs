using System.Net;
using KubeMonitor.Exporter.Push;

namespace KubeMonitor.Exporter.Tests.Push;

public sealed class PushOptionsTests
{
    [Fact]
    public void Default_buffer_holds_fifteen_minutes_of_five_second_batches()
    {
        var options = new PushOptions { FacadeUrls = [new Uri("http://facade:8080")] };

        Assert.Equal(180, options.BufferCapacity);
        options.Validate();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_byte_bound_that_is_not_positive_is_refused(long bytes)
    {
        var options = new PushOptions { FacadeUrls = [new Uri("http://facade:8080")], BufferBytes = bytes };

        Assert.Throws<ArgumentException>(options.Validate);
    }

    [Theory]
    [InlineData("ftp://facade/")]
    [InlineData("facade:8080/relative")]
    public void Non_http_urls_are_refused(string url)
    {
        var options = new PushOptions { FacadeUrls = [new Uri(url, UriKind.RelativeOrAbsolute)] };

        Assert.Throws<ArgumentException>(options.Validate);
    }

    [Fact]
    public void A_total_timeout_below_the_attempt_timeout_is_refused()
    {
        var options = new PushOptions
        {
            FacadeUrls = [new Uri("http://facade:8080")],
            AttemptTimeout = TimeSpan.FromSeconds(10),
            TotalTimeout = TimeSpan.FromSeconds(5),
        };

        Assert.Throws<ArgumentException>(options.Validate);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, true)]
    [InlineData(HttpStatusCode.Unauthorized, true)]
    [InlineData(HttpStatusCode.Forbidden, true)]
    [InlineData(HttpStatusCode.NotFound, true)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, true)]
    [InlineData(HttpStatusCode.UnsupportedMediaType, true)]
    [InlineData(HttpStatusCode.RequestTimeout, true)]
    [InlineData(HttpStatusCode.TooManyRequests, false)]
    [InlineData(HttpStatusCode.ServiceUnavailable, false)]
    [InlineData(HttpStatusCode.InternalServerError, false)]
    public void Every_4xx_but_429_is_permanent(HttpStatusCode status, bool permanent) =>
        Assert.Equal(permanent, FacadeClient.IsPermanent(status));

    [Theory]
    [InlineData("http://facade:8080", "http://facade:8080/api/nodes/node-1/batch")]
    [InlineData("http://facade:8080/", "http://facade:8080/api/nodes/node-1/batch")]
    [InlineData("https://gw.example/kubemonitor/", "https://gw.example/kubemonitor/api/nodes/node-1/batch")]
    public void The_batch_path_is_appended_to_the_facade_url(string facade, string expected) =>
        Assert.Equal(new Uri(expected), FacadeClient.BatchUri(new Uri(facade), "node-1"));
}

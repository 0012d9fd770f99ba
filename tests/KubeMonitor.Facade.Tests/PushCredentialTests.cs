using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace KubeMonitor.Facade.Tests;

/// <summary>Push authentication as Program wires it: a configured token guards the push group only.</summary>
public sealed class PushCredentialTests : IDisposable
{
    private const string Token = "s3cret-push-token";
    private readonly FacadeFactory _facade = new(new() { ["Facade:Auth:Token"] = Token });

    public void Dispose() => _facade.Dispose();

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("Basic czNjcmV0", HttpStatusCode.Unauthorized)]
    [InlineData("Bearer wrong-token", HttpStatusCode.Forbidden)]
    [InlineData("Bearer " + Token + "x", HttpStatusCode.Forbidden)]
    public async Task A_push_without_the_right_token_is_refused_as_a_problem_and_stores_nothing(string? authorization, HttpStatusCode expected)
    {
        foreach (var path in new[] { "/api/nodes/node-1", "/api/nodes/node-1/batch", "/api/pods/web-1" })
        {
            using var response = await PostAsync(path, authorization);
            Assert.Equal(expected, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        using var nodes = await _facade.CreateClient().GetAsync(new Uri("/api/nodes", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, nodes.StatusCode);
        Assert.Equal(0, _facade.Store.SeriesCount);
    }

    [Fact]
    public async Task The_right_token_is_accepted_and_reads_stay_open()
    {
        using var response = await PostAsync("/api/nodes/node-1", "Bearer " + Token);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var node = await _facade.CreateClient().GetAsync(new Uri("/api/nodes/node-1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, node.StatusCode);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string? authorization)
    {
        _facade.SetTime(10);
        var body = path.EndsWith("/batch", StringComparison.Ordinal)
            ? "{\"timestamp\":\"" + FacadeFactory.At(10) + "\",\"node\":{\"cpu\":{\"usageSecondsTotal\":1}}}"
            : "{\"timestamp\":\"" + FacadeFactory.At(10) + "\",\"namespace\":\"shop\",\"cpu\":{\"usageSecondsTotal\":1}}";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (authorization is not null) request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        return await _facade.CreateClient().SendAsync(request);
    }
}

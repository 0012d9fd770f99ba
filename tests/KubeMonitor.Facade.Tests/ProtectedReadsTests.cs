using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace KubeMonitor.Facade.Tests;

/// <summary>Facade:Auth:ProtectReads on the real Program: every GET under /api needs the credential (docs/api.md section 2).</summary>
public sealed class ProtectedReadsTests : IDisposable
{
    private const string Token = "read-and-push-token";
    // The failure throttle is off: this test sends two wrong credentials for every route from one address.
    private readonly FacadeFactory _facade = new(new()
    {
        ["Facade:Auth:Token"] = Token, ["Facade:Auth:ProtectReads"] = "true", ["Facade:Auth:FailureLimit"] = "0",
    });

    public void Dispose() => _facade.Dispose();

    /// <summary>Every GET route of the app under /api, its parameters filled with a valid name.</summary>
    private List<string> ApiReadPaths()
    {
        _ = _facade.Server; // builds the host
        var routes = _facade.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .Where(p => p.StartsWith("/api", StringComparison.Ordinal))
            .Distinct()
            .ToList();
        return [.. routes.Select(r => System.Text.RegularExpressions.Regex.Replace(r, "{[^}]+}", "x").TrimEnd('/'))];
    }

    [Fact]
    public async Task Every_read_under_api_is_401_without_the_token_and_answers_with_it()
    {
        using var client = _facade.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        foreach (var (path, body) in new[] { ("/api/nodes/x", Bodies.Node(0, 1)), ("/api/pods/x", Bodies.Pod(0, "x", 1, node: "x", ownerKind: "ReplicaSet", ownerName: "x-1")) })
        {
            using var anonymousPush = await _facade.CreateClient().PostAsync(new Uri(path, UriKind.Relative), System.Net.Http.Json.JsonContent.Create(body));
            await FacadeFactory.AssertProblemAsync(anonymousPush, 401);
            using var push = await client.PostAsync(new Uri(path, UriKind.Relative), System.Net.Http.Json.JsonContent.Create(body));
            Assert.Equal(HttpStatusCode.Accepted, push.StatusCode);
        }

        var paths = ApiReadPaths();
        Assert.True(paths.Count >= 8, string.Join(", ", paths));
        using var anonymous = _facade.CreateClient();
        foreach (var path in paths)
        {
            using var refused = await anonymous.GetAsync(new Uri(path, UriKind.Relative));
            await FacadeFactory.AssertProblemAsync(refused, 401);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token");
            using var forbidden = await anonymous.SendAsync(wrong);
            await FacadeFactory.AssertProblemAsync(forbidden, 403);
            using var allowed = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(allowed.StatusCode == HttpStatusCode.OK, $"{path}: {(int)allowed.StatusCode} {await allowed.Content.ReadAsStringAsync()}");
        }
    }

    [Theory]
    [InlineData("/livez")]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/metrics")]
    public async Task Health_and_metrics_stay_open_for_probes_and_scrapers(string path)
    {
        using var client = _facade.CreateClient();
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

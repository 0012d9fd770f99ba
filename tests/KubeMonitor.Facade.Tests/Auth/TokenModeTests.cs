using System.Net;
using KubeMonitor.Facade.Auth;
using KubeMonitor.TestSupport;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Tests.Auth;

public sealed class TokenModeTests : IDisposable
{
    private const string Secret = "s3cr3t-push-token-0123456789";
    private readonly string dir = Directory.CreateTempSubdirectory("kubemonitor-auth-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static Task<AuthTestHost> WithToken(bool protectReads = false) => AuthTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["Facade:Auth:Token"] = Secret,
        ["Facade:Auth:ProtectReads"] = protectReads ? "true" : "false",
    });

    [Fact]
    public async Task Push_without_credential_is_401_with_bearer_challenge_and_not_stored()
    {
        await using var host = await WithToken();
        using var response = await host.PushAsync(null);
        await ProblemAssert.IsProblem(response, 401);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Empty(host.Stored);
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer two words")]
    [InlineData(Secret)]
    [InlineData("Token " + Secret)]
    public async Task Malformed_authorization_is_401(string authorization)
    {
        await using var host = await WithToken();
        using var response = await host.SendAsync(HttpMethod.Post, "/api/nodes/node-1", authorization);
        await ProblemAssert.IsProblem(response, 401);
        Assert.Empty(host.Stored);
    }

    [Fact]
    public async Task Two_authorization_headers_are_401_even_if_one_is_right()
    {
        await using var host = await WithToken();
        using var response = await host.SendAsync(HttpMethod.Post, "/api/nodes/node-1", "Bearer wrong", "Bearer " + Secret);
        await ProblemAssert.IsProblem(response, 401);
        Assert.Empty(host.Stored);
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData(Secret + "x")]
    [InlineData("s3cr3t-push-token-012345678")]
    [InlineData("S3CR3T-PUSH-TOKEN-0123456789")]
    public async Task Wrong_token_is_403_and_not_stored(string token)
    {
        await using var host = await WithToken();
        using var response = await host.PushAsync(token);
        await ProblemAssert.IsProblem(response, 403);
        Assert.Empty(host.Stored);
    }

    [Fact]
    public async Task Right_token_reaches_the_handler_and_is_never_logged()
    {
        await using var host = await WithToken();
        using var response = await host.PushAsync(Secret);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(["node-1"], host.Stored);
        using var wrong = await host.PushAsync("wrong-token-value");
        Assert.Contains(host.Logs.Lines, l => l.Message.Contains("403", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Message.Contains(Secret, StringComparison.Ordinal) || l.Message.Contains("wrong-token-value", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scheme_is_case_insensitive()
    {
        await using var host = await WithToken();
        using var response = await host.SendAsync(HttpMethod.Post, "/api/nodes/node-1", "bearer " + Secret);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Reads_are_open_by_default()
    {
        await using var host = await WithToken();
        using var response = await host.SendAsync(HttpMethod.Get, "/api/nodes");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Reads_need_the_token_when_protected()
    {
        await using var host = await WithToken(protectReads: true);
        using var none = await host.SendAsync(HttpMethod.Get, "/api/nodes");
        await ProblemAssert.IsProblem(none, 401);
        using var wrong = await host.SendAsync(HttpMethod.Get, "/api/nodes", "Bearer nope");
        await ProblemAssert.IsProblem(wrong, 403);
        using var right = await host.SendAsync(HttpMethod.Get, "/api/nodes", "Bearer " + Secret);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task Without_configuration_everything_passes()
    {
        await using var host = await AuthTestHost.StartAsync(new Dictionary<string, string?>());
        using var response = await host.PushAsync(null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(host.Stored);
    }

    [Fact]
    public async Task Explicit_mode_None_wins_over_a_configured_token_and_warns()
    {
        await using var host = await AuthTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Facade:Auth:Mode"] = "None",
            ["Facade:Auth:Token"] = Secret,
        });
        using var response = await host.PushAsync(null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains(host.Logs.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task Token_mode_without_a_token_fails_at_start()
    {
        await Assert.ThrowsAsync<OptionsValidationException>(() => AuthTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Facade:Auth:Mode"] = "Token",
        }));
    }

    [Fact]
    public async Task Token_file_is_trimmed_and_rotation_is_picked_up()
    {
        var path = Path.Combine(dir, "token");
        await ReplaceAtomically(path, "first-token\n");
        await using var host = await AuthTestHost.StartAsync(new Dictionary<string, string?> { ["Facade:Auth:TokenFile"] = path });

        using (var first = await host.PushAsync("first-token")) Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        // Kubernetes updates a mounted Secret by an atomic swap; same length on purpose.
        await ReplaceAtomically(path, "other-token\n");
        using (var old = await host.PushAsync("first-token")) await ProblemAssert.IsProblem(old, 403);
        using (var rotated = await host.PushAsync("other-token")) Assert.Equal(HttpStatusCode.Accepted, rotated.StatusCode);
        Assert.Equal(2, host.Stored.Count);
    }

    [Fact]
    public async Task A_secret_volume_updated_by_the_kubelet_is_picked_up_without_a_restart()
    {
        // The mounted key is a link whose own time and length stay the same through the update.
        var volume = SecretVolume.Create(Path.Combine(dir, "push"), new Dictionary<string, string> { ["token"] = "first-token\n" });
        await using var host = await AuthTestHost.StartAsync(new Dictionary<string, string?> { ["Facade:Auth:TokenFile"] = volume.PathOf("token") });
        using (var first = await host.PushAsync("first-token")) Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        volume.Update(new Dictionary<string, string> { ["token"] = "other-token\n" });
        using (var old = await host.PushAsync("first-token")) await ProblemAssert.IsProblem(old, 403);
        using (var rotated = await host.PushAsync("other-token")) Assert.Equal(HttpStatusCode.Accepted, rotated.StatusCode);
    }

    [Fact]
    public async Task Missing_token_file_is_503_and_nothing_stored()
    {
        var path = Path.Combine(dir, "absent");
        await using var host = await AuthTestHost.StartAsync(new Dictionary<string, string?> { ["Facade:Auth:TokenFile"] = path });
        using var response = await host.PushAsync("anything");
        await ProblemAssert.IsProblem(response, 503);
        Assert.Empty(host.Stored);

        await ReplaceAtomically(path, "now-there");
        using var later = await host.PushAsync("now-there");
        Assert.Equal(HttpStatusCode.Accepted, later.StatusCode);
    }

    private async Task ReplaceAtomically(string path, string content)
    {
        var temp = Path.Combine(dir, Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}

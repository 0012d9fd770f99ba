using System.Net;
using KubeMonitor.Facade.Auth;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KubeMonitor.Facade.Tests.Auth;

/// <summary>Repeated failed credentials from one client address: 429 with Retry-After until the window ends.</summary>
public sealed class FailureThrottleTests : IDisposable
{
    private const string Secret = "s3cr3t-push-token-0123456789";
    private const string Attacker = "10.0.0.66";
    private const string Exporter = "10.0.0.7";
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 26, 7, 0, 0, TimeSpan.Zero));
    private readonly FakeKubernetesApi api = new();

    public void Dispose() => api.Dispose();

    private Task<AuthTestHost> WithToken(int limit = 5, string window = "00:01:00", int tracked = 100) => AuthTestHost.StartAsync(new Dictionary<string, string?>
    {
        ["Facade:Auth:Token"] = Secret,
        ["Facade:Auth:FailureLimit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Facade:Auth:FailureWindow"] = window,
        ["Facade:Auth:FailureTrackedAddresses"] = tracked.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }, clock);

    private static async Task FailTimes(AuthTestHost host, int times, string from)
    {
        for (var i = 0; i < times; i++)
        {
            using var response = await host.PushAsync("wrong-" + i, from: from);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [Fact]
    public async Task After_the_limit_of_failures_an_address_gets_429_with_Retry_After_until_the_window_ends()
    {
        await using var host = await WithToken(limit: 5);
        await FailTimes(host, 5, Attacker);
        clock.Advance(TimeSpan.FromSeconds(20));

        // Even the right token is turned away now: nothing is checked for this address.
        using (var blocked = await host.PushAsync(Secret, from: Attacker))
        {
            var detail = await ProblemAssert.IsProblem(blocked, 429);
            Assert.Contains("retry in 40 s", detail, StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(40), blocked.Headers.RetryAfter?.Delta);
        }
        Assert.Empty(host.Stored);
        Assert.Single(host.Logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains(Attacker, StringComparison.Ordinal));

        clock.Advance(TimeSpan.FromSeconds(39));
        using (var stillBlocked = await host.PushAsync(Secret, from: Attacker))
        {
            await ProblemAssert.IsProblem(stillBlocked, 429);
            Assert.Equal(TimeSpan.FromSeconds(1), stillBlocked.Headers.RetryAfter?.Delta);
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        using (var after = await host.PushAsync(Secret, from: Attacker)) Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
        Assert.Equal(["node-1"], host.Stored);
    }

    [Fact]
    public async Task Fewer_failures_than_the_limit_or_failures_spread_over_windows_are_not_throttled()
    {
        await using var host = await WithToken(limit: 5);
        await FailTimes(host, 4, Attacker);
        clock.Advance(TimeSpan.FromSeconds(60)); // the window of the first failure ends
        await FailTimes(host, 4, Attacker);
        using var right = await host.PushAsync(Secret, from: Attacker);
        Assert.Equal(HttpStatusCode.Accepted, right.StatusCode);
    }

    [Fact]
    public async Task Missing_credentials_count_as_failures_too()
    {
        await using var host = await WithToken(limit: 3);
        for (var i = 0; i < 3; i++)
        {
            using var response = await host.PushAsync(null, from: Attacker);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using var blocked = await host.PushAsync(null, from: Attacker);
        await ProblemAssert.IsProblem(blocked, 429);
    }

    [Fact]
    public async Task Other_addresses_are_not_throttled()
    {
        await using var host = await WithToken(limit: 3);
        await FailTimes(host, 3, Attacker);
        using (var blocked = await host.PushAsync(Secret, from: Attacker)) await ProblemAssert.IsProblem(blocked, 429);
        using (var exporter = await host.PushAsync(Secret, from: Exporter)) Assert.Equal(HttpStatusCode.Accepted, exporter.StatusCode);
        using (var ipv6 = await host.PushAsync(Secret, from: "fd00::7")) Assert.Equal(HttpStatusCode.Accepted, ipv6.StatusCode);
    }

    [Fact]
    public async Task An_IPv4_client_seen_through_a_dual_stack_socket_is_the_same_client()
    {
        await using var host = await WithToken(limit: 3);
        await FailTimes(host, 2, Attacker);
        await FailTimes(host, 1, "::ffff:" + Attacker);
        using var blocked = await host.PushAsync(Secret, from: Attacker);
        await ProblemAssert.IsProblem(blocked, 429);
    }

    [Fact]
    public async Task Reads_stay_open_for_a_throttled_address_when_not_protected()
    {
        await using var host = await WithToken(limit: 2);
        await FailTimes(host, 2, Attacker);
        using var read = await host.SendFromAsync(Attacker, HttpMethod.Get, "/api/nodes");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task Limit_zero_switches_the_throttle_off()
    {
        await using var host = await WithToken(limit: 0);
        await FailTimes(host, 50, Attacker);
        using var right = await host.PushAsync(Secret, from: Attacker);
        Assert.Equal(HttpStatusCode.Accepted, right.StatusCode);
    }

    [Fact]
    public async Task A_throttled_address_costs_no_TokenReview()
    {
        api.ReviewAnswers(TokenReviewModeTests.Status(false, error: "token has expired"));
        await using var host = await AuthTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Facade:Auth:Mode"] = "TokenReview",
            ["Facade:Auth:ReviewTimeout"] = FakeKubernetesApi.SlowMachineReviewTimeout,
            ["Facade:Auth:FailureLimit"] = "3",
            ["Facade:Auth:DenialCacheDuration"] = "00:00:00",
            ["Facade:Kubernetes:Kubeconfig"] = api.Kubeconfig,
        }, clock);
        for (var i = 0; i < 3; i++)
        {
            using var denied = await host.PushAsync("guess-" + i, from: Attacker);
            await ProblemAssert.IsProblem(denied, 403);
        }
        Assert.Equal(3, api.TokenReviewCalls);

        for (var i = 0; i < 10; i++)
        {
            using var blocked = await host.PushAsync("guess-more-" + i, from: Attacker);
            await ProblemAssert.IsProblem(blocked, 429);
        }
        Assert.Equal(3, api.TokenReviewCalls);
    }

    [Fact]
    public async Task A_push_for_another_node_with_a_bound_token_counts_as_a_failure()
    {
        api.ReviewAnswers(TokenReviewModeTests.Status(true, boundNodes: ["node-1"]));
        await using var host = await AuthTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Facade:Auth:Mode"] = "TokenReview",
            ["Facade:Auth:ReviewTimeout"] = FakeKubernetesApi.SlowMachineReviewTimeout,
            ["Facade:Auth:FailureLimit"] = "2",
            ["Facade:Kubernetes:Kubeconfig"] = api.Kubeconfig,
        }, clock);
        for (var i = 0; i < 2; i++)
        {
            using var forbidden = await host.PushAsync("bound-token", "node-2", from: Attacker);
            await ProblemAssert.IsProblem(forbidden, 403);
        }
        using var blocked = await host.PushAsync("bound-token", "node-1", from: Attacker);
        await ProblemAssert.IsProblem(blocked, 429);
    }

    [Fact]
    public async Task API_server_trouble_is_not_the_client_failure()
    {
        api.ReviewFails(503);
        await using var host = await AuthTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Facade:Auth:Mode"] = "TokenReview",
            ["Facade:Auth:ReviewTimeout"] = FakeKubernetesApi.SlowMachineReviewTimeout,
            ["Facade:Auth:FailureLimit"] = "2",
            ["Facade:Kubernetes:Kubeconfig"] = api.Kubeconfig,
        }, clock);
        for (var i = 0; i < 5; i++)
        {
            using var unavailable = await host.PushAsync("exporter-token", from: Exporter);
            await ProblemAssert.IsProblem(unavailable, 503);
        }
    }

    [Fact]
    public void Memory_of_addresses_is_bounded_and_the_least_recently_seen_goes_first()
    {
        var throttle = new FailureThrottle(clock, limit: 2, TimeSpan.FromMinutes(1), capacity: 3);
        throttle.RecordFailure(IPAddress.Parse("10.0.0.1"));
        throttle.RecordFailure(IPAddress.Parse("10.0.0.1"));
        for (var i = 2; i < 1000; i++) throttle.RecordFailure(IPAddress.Parse("10.0." + (i / 256) + "." + (i % 256)));
        Assert.Equal(3, throttle.TrackedAddresses);
        Assert.False(throttle.IsBlocked(IPAddress.Parse("10.0.0.1"), out _));

        // The newest addresses are the ones remembered.
        throttle.RecordFailure(IPAddress.Parse("10.0.3.231"));
        Assert.True(throttle.IsBlocked(IPAddress.Parse("10.0.3.231"), out var retryAfter));
        Assert.Equal(TimeSpan.FromMinutes(1), retryAfter);
    }

    [Fact]
    public void Requests_without_an_address_share_one_count()
    {
        var throttle = new FailureThrottle(clock, limit: 2, TimeSpan.FromMinutes(1), capacity: 3);
        Assert.False(throttle.RecordFailure(null));
        Assert.True(throttle.RecordFailure(null));
        Assert.True(throttle.IsBlocked(null, out _));
        Assert.False(throttle.IsBlocked(IPAddress.Loopback, out _));
    }

    [Theory]
    [InlineData("Facade:Auth:FailureLimit", "-1")]
    [InlineData("Facade:Auth:FailureWindow", "00:00:00")]
    [InlineData("Facade:Auth:FailureTrackedAddresses", "0")]
    [InlineData("Facade:Auth:DenialCacheDuration", "-00:00:01")]
    [InlineData("Facade:Auth:ReviewCacheSize", "-1")]
    public async Task Bad_throttle_or_cache_settings_fail_at_start(string key, string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => AuthTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Facade:Auth:Token"] = Secret,
            [key] = value,
        }));
        Assert.Contains(key.Split(':')[^1], error.Message, StringComparison.Ordinal);
    }
}

using KubeMonitor.Facade.Auth;
using Microsoft.Extensions.Time.Testing;

namespace KubeMonitor.Facade.Tests.Auth;

public sealed class ReviewCacheTests
{
    private static readonly PushCredentialResult Accept = PushCredentialResult.Accepted("exporter");
    private static readonly PushCredentialResult Deny = PushCredentialResult.Rejected("token has expired");
    private readonly FakeTimeProvider clock = new();
    private int reviews;

    private ReviewCache Cache(int capacity = 10) => new(clock, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10), capacity);

    /// <summary>Looks <paramref name="key"/> up; a review, if one is needed, answers <paramref name="verdict"/> and is counted.</summary>
    private async Task<PushCredentialResult> Lookup(ReviewCache cache, string key, PushCredentialResult verdict) =>
        await cache.GetOrReviewAsync(key, () =>
        {
            Interlocked.Increment(ref reviews);
            return Task.FromResult(verdict);
        }, CancellationToken.None);

    [Fact]
    public async Task Acceptance_lives_for_its_duration_only()
    {
        var cache = Cache();
        await Lookup(cache, "a", Accept);
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(Accept, await Lookup(cache, "a", Deny));
        Assert.Equal(1, reviews);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Deny, await Lookup(cache, "a", Deny));
        Assert.Equal(2, reviews);
    }

    [Fact]
    public async Task Denial_lives_for_the_shorter_denial_duration()
    {
        var cache = Cache();
        await Lookup(cache, "a", Deny);
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(Deny, await Lookup(cache, "a", Accept));
        Assert.Equal(1, reviews);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(Accept, await Lookup(cache, "a", Accept));
        Assert.Equal(2, reviews);
    }

    [Fact]
    public async Task Unavailable_is_never_remembered()
    {
        var cache = Cache();
        var down = PushCredentialResult.Unavailable("API server unreachable");
        Assert.Equal(down, await Lookup(cache, "a", down));
        Assert.Equal(Accept, await Lookup(cache, "a", Accept));
        Assert.Equal(2, reviews);
    }

    [Fact]
    public async Task Zero_durations_remember_nothing()
    {
        var cache = new ReviewCache(clock, TimeSpan.Zero, TimeSpan.Zero, capacity: 10);
        await Lookup(cache, "a", Accept);
        await Lookup(cache, "a", Accept);
        await Lookup(cache, "b", Deny);
        await Lookup(cache, "b", Deny);
        Assert.Equal(4, reviews);
        Assert.Equal(0, cache.AcceptedCount + cache.DeniedCount);
    }

    [Fact]
    public async Task Bound_node_is_remembered_with_the_acceptance()
    {
        var cache = Cache();
        await Lookup(cache, "a", PushCredentialResult.Accepted("exporter on node-7", "node-7"));
        var cached = await Lookup(cache, "a", Accept);
        Assert.Equal("node-7", cached.BoundNode);
        Assert.Equal(1, reviews);
    }

    [Fact]
    public async Task When_full_the_least_recently_used_goes_and_no_other()
    {
        var cache = Cache(capacity: 3);
        await Lookup(cache, "a", Accept);
        await Lookup(cache, "b", Accept);
        await Lookup(cache, "c", Accept);
        await Lookup(cache, "a", Accept); // a is now the most recently used, b the least
        await Lookup(cache, "d", Accept);
        Assert.Equal(4, reviews);
        Assert.Equal(3, cache.AcceptedCount);

        await Lookup(cache, "a", Accept);
        await Lookup(cache, "c", Accept);
        await Lookup(cache, "d", Accept);
        Assert.Equal(4, reviews);
        await Lookup(cache, "b", Accept);
        Assert.Equal(5, reviews);
    }

    [Fact]
    public async Task Size_stays_bounded_under_many_tokens()
    {
        var cache = Cache(capacity: 3);
        for (var i = 0; i < 100; i++) await Lookup(cache, "k" + i, i % 2 == 0 ? Accept : Deny);
        Assert.Equal(3, cache.AcceptedCount);
        Assert.Equal(3, cache.DeniedCount);
        // The newest three of each kind are the ones kept.
        await Lookup(cache, "k98", Deny);
        await Lookup(cache, "k99", Accept);
        Assert.Equal(100, reviews);
    }

    [Fact]
    public async Task A_flood_of_denied_tokens_does_not_push_out_acceptances()
    {
        var cache = Cache(capacity: 4);
        await Lookup(cache, "exporter", Accept);
        for (var i = 0; i < 50; i++) await Lookup(cache, "guess" + i, Deny);
        await Lookup(cache, "exporter", Deny);
        Assert.Equal(51, reviews);
        Assert.Equal(4, cache.DeniedCount);
    }

    [Fact]
    public async Task Concurrent_lookups_of_one_new_token_share_one_review()
    {
        var cache = Cache();
        var answer = new TaskCompletionSource<PushCredentialResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        var lookups = Enumerable.Range(0, 16).Select(_ => cache.GetOrReviewAsync("a", () =>
        {
            Interlocked.Increment(ref started);
            return answer.Task;
        }, CancellationToken.None).AsTask()).ToArray();

        Assert.All(lookups, l => Assert.False(l.IsCompleted));
        answer.SetResult(PushCredentialResult.Accepted("exporter", "node-1"));
        var results = await Task.WhenAll(lookups);

        Assert.Equal(1, started);
        Assert.All(results, r => Assert.Equal("node-1", r.BoundNode));
        Assert.Equal(PushCredentialResult.Accepted("exporter", "node-1"), await Lookup(cache, "a", Deny));
        Assert.Equal(0, reviews);
    }

    [Fact]
    public async Task A_caller_that_gives_up_does_not_cancel_the_review_others_wait_for()
    {
        var cache = Cache();
        var answer = new TaskCompletionSource<PushCredentialResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var impatient = new CancellationTokenSource();
        var first = cache.GetOrReviewAsync("a", () => answer.Task, impatient.Token).AsTask();
        var second = cache.GetOrReviewAsync("a", () => throw new InvalidOperationException("a second review must not start"), CancellationToken.None).AsTask();

        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.False(second.IsCompleted);

        answer.SetResult(Accept);
        Assert.Equal(Accept, await second);
        Assert.Equal(1, cache.AcceptedCount);
    }

    [Fact]
    public async Task A_review_that_throws_fails_its_waiters_and_the_next_lookup_reviews_again()
    {
        var cache = Cache();
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await cache.GetOrReviewAsync("a", () => Task.FromException<PushCredentialResult>(new InvalidOperationException("boom")), CancellationToken.None));
        Assert.Equal(Accept, await Lookup(cache, "a", Accept));
        Assert.Equal(1, reviews);
    }

    [Fact]
    public void Keys_are_hashes_not_tokens()
    {
        var key = ReviewCache.KeyOf("secret-token");
        Assert.DoesNotContain("secret", key, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(64, key.Length);
        Assert.Equal(key, ReviewCache.KeyOf("secret-token"));
        Assert.NotEqual(key, ReviewCache.KeyOf("secret-token2"));
    }
}

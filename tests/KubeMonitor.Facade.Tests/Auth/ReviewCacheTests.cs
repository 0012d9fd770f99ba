using KubeMonitor.Facade.Auth;
using Microsoft.Extensions.Time.Testing;

namespace KubeMonitor.Facade.Tests.Auth;

public sealed class ReviewCacheTests
{
    private readonly FakeTimeProvider clock = new();

    [Fact]
    public void Entry_lives_for_its_duration_only()
    {
        var cache = new ReviewCache(clock, TimeSpan.FromSeconds(60), capacity: 10);
        cache.Add("a");
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.True(cache.Contains("a"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(cache.Contains("a"));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Size_stays_bounded_and_expired_entries_go_first()
    {
        var cache = new ReviewCache(clock, TimeSpan.FromSeconds(60), capacity: 3);
        cache.Add("old");
        clock.Advance(TimeSpan.FromSeconds(30));
        cache.Add("b");
        cache.Add("c");
        clock.Advance(TimeSpan.FromSeconds(31)); // "old" expired, b and c still live
        cache.Add("d");
        Assert.Equal(3, cache.Count);
        Assert.True(cache.Contains("b") && cache.Contains("c") && cache.Contains("d"));

        for (var i = 0; i < 100; i++) cache.Add("k" + i);
        Assert.InRange(cache.Count, 1, 3);
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

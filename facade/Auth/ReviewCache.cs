using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace KubeMonitor.Facade.Auth;

/// <summary>
/// Remembers accepted tokens for a short time, so that an exporter pushing every few seconds
/// does not cost a TokenReview each time. Keys are SHA-256 hashes: the tokens themselves are
/// never kept. Only acceptances are cached; a rejection is asked again next time.
/// </summary>
internal sealed class ReviewCache(TimeProvider clock, TimeSpan duration, int capacity)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> expiries = new(StringComparer.Ordinal);

    public static string KeyOf(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public int Count => expiries.Count;

    public bool Contains(string key)
    {
        if (!expiries.TryGetValue(key, out var expiry)) return false;
        if (clock.GetUtcNow() < expiry) return true;
        expiries.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, expiry));
        return false;
    }

    public void Add(string key)
    {
        if (duration <= TimeSpan.Zero || capacity <= 0) return;
        var now = clock.GetUtcNow();
        if (expiries.Count >= capacity)
        {
            foreach (var (k, expiry) in expiries)
            {
                if (expiry <= now) expiries.TryRemove(k, out _);
            }
            // Still full of live entries (more pushers than expected): start over rather than grow.
            if (expiries.Count >= capacity) expiries.Clear();
        }
        expiries[key] = now + duration;
    }
}

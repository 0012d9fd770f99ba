using System.Net;

namespace KubeMonitor.Facade.Auth;

/// <summary>
/// Counts failed credentials per client address. Once an address reaches <c>limit</c> failures
/// within <c>window</c> of its first one, it is turned away until that window ends, so guessing
/// tokens is slow and costs the API server no TokenReviews. At most <c>capacity</c> addresses are
/// remembered; the one seen least recently goes first.
/// </summary>
internal sealed class FailureThrottle(TimeProvider clock, int limit, TimeSpan window, int capacity)
{
    // Requests without a peer address (a Unix socket, an in-process test server) share one count.
    private static readonly IPAddress Unknown = IPAddress.IPv6None;

    private readonly Lock gate = new();
    private readonly LruMap<IPAddress, Window> windows = new(capacity);

    public bool Enabled => limit > 0 && window > TimeSpan.Zero && capacity > 0;

    public int TrackedAddresses
    {
        get { lock (gate) return windows.Count; }
    }

    /// <summary>True, with the time until its window ends, when the address has used up its failures.</summary>
    public bool IsBlocked(IPAddress? address, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!Enabled) return false;
        var now = clock.GetUtcNow();
        lock (gate)
        {
            if (!windows.TryGet(KeyOf(address), now, out var current) || current.Failures < limit) return false;
            retryAfter = current.Ends - now;
            return true;
        }
    }

    /// <summary>Counts one failure; true when it is the one that reaches the limit (log once, not per request).</summary>
    public bool RecordFailure(IPAddress? address)
    {
        if (!Enabled) return false;
        var now = clock.GetUtcNow();
        var key = KeyOf(address);
        lock (gate)
        {
            if (!windows.TryGet(key, now, out var current))
            {
                current = new Window(now + window);
                windows.Set(key, current, current.Ends);
            }
            current.Failures++;
            return current.Failures == limit;
        }
    }

    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; one client, one count.
    private static IPAddress KeyOf(IPAddress? address) =>
        address is null ? Unknown : address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private sealed class Window(DateTimeOffset ends)
    {
        public DateTimeOffset Ends { get; } = ends;

        public int Failures { get; set; }
    }
}

using System.Security.Cryptography;
using System.Text;

namespace KubeMonitor.Facade.Auth;

/// <summary>
/// Remembers TokenReview verdicts, so that an exporter pushing every few seconds does not cost
/// a TokenReview each time, and a wrong token sent in a loop does not cost one per request.
/// Keys are SHA-256 hashes: the tokens themselves are never kept.
/// </summary>
/// <remarks>
/// Acceptances (with the node a token is bound to) and denials are kept apart, each at most
/// <c>capacity</c> entries, least recently used out first: a flood of wrong tokens cannot push
/// out the exporters' acceptances. "Unavailable" (API server down) is never remembered.
/// One review runs per key at a time; concurrent lookups of the same key wait for it.
/// </remarks>
internal sealed class ReviewCache(TimeProvider clock, TimeSpan acceptedFor, TimeSpan deniedFor, int capacity)
{
    private readonly Lock gate = new();
    private readonly LruMap<string, PushCredentialResult> accepted = new(capacity);
    private readonly LruMap<string, PushCredentialResult> denied = new(capacity);
    private readonly Dictionary<string, Task<PushCredentialResult>> inFlight = new(StringComparer.Ordinal);

    public static string KeyOf(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public int AcceptedCount
    {
        get { lock (gate) return accepted.Count; }
    }

    public int DeniedCount
    {
        get { lock (gate) return denied.Count; }
    }

    /// <summary>
    /// The remembered verdict of <paramref name="key"/>, else the verdict of <paramref name="review"/>,
    /// which is started once however many callers ask meanwhile. The review runs to its end even
    /// when the caller that started it gives up (<paramref name="cancellationToken"/>), since others may wait for it.
    /// </summary>
    public async ValueTask<PushCredentialResult> GetOrReviewAsync(
        string key, Func<Task<PushCredentialResult>> review, CancellationToken cancellationToken)
    {
        Task<PushCredentialResult>? flight;
        TaskCompletionSource<PushCredentialResult>? lead = null;
        lock (gate)
        {
            if (TryGetLocked(key, out var remembered)) return remembered;
            if (!inFlight.TryGetValue(key, out flight))
            {
                lead = new TaskCompletionSource<PushCredentialResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                flight = lead.Task;
                inFlight.Add(key, flight);
            }
        }
        if (lead is not null) _ = LeadAsync(key, review, lead);
        return await flight.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task LeadAsync(string key, Func<Task<PushCredentialResult>> review, TaskCompletionSource<PushCredentialResult> lead)
    {
        try
        {
            var result = await review().ConfigureAwait(false);
            // Remembered and out of flight in one step: no later caller can start a second review in between.
            lock (gate)
            {
                inFlight.Remove(key);
                Remember(key, result);
            }
            lead.SetResult(result);
        }
        catch (Exception e)
        {
            lock (gate) inFlight.Remove(key);
            lead.SetException(e);
        }
    }

    private bool TryGetLocked(string key, out PushCredentialResult result)
    {
        var now = clock.GetUtcNow();
        return accepted.TryGet(key, now, out result) || denied.TryGet(key, now, out result);
    }

    private void Remember(string key, PushCredentialResult result)
    {
        var now = clock.GetUtcNow();
        switch (result.Verdict)
        {
            case PushCredentialVerdict.Accepted when acceptedFor > TimeSpan.Zero:
                accepted.Set(key, result, now + acceptedFor);
                break;
            case PushCredentialVerdict.Rejected when deniedFor > TimeSpan.Zero:
                denied.Set(key, result, now + deniedFor);
                break;
        }
    }
}

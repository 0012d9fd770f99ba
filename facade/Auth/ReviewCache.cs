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
    : ReviewCache<PushCredentialResult>(clock, acceptedFor, deniedFor, capacity, static result => result.Verdict)
{
    public static string KeyOf(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// <summary>
/// The cache of <see cref="ReviewCache"/> for any review's result (a TokenReview's identity, a
/// SubjectAccessReview's decision): <paramref name="verdictOf"/> says whether a result is an
/// acceptance, a denial, or "could not review" (never remembered).
/// </summary>
internal class ReviewCache<TResult>(TimeProvider clock, TimeSpan acceptedFor, TimeSpan deniedFor, int capacity, Func<TResult, PushCredentialVerdict> verdictOf)
{
    private readonly Lock gate = new();
    private readonly LruMap<string, TResult> accepted = new(capacity);
    private readonly LruMap<string, TResult> denied = new(capacity);
    private readonly Dictionary<string, Task<TResult>> inFlight = new(StringComparer.Ordinal);

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
    public async ValueTask<TResult> GetOrReviewAsync(
        string key, Func<Task<TResult>> review, CancellationToken cancellationToken)
    {
        Task<TResult>? flight;
        TaskCompletionSource<TResult>? lead = null;
        lock (gate)
        {
            if (TryGetLocked(key, out var remembered)) return remembered;
            if (!inFlight.TryGetValue(key, out flight))
            {
                lead = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                flight = lead.Task;
                inFlight.Add(key, flight);
            }
        }
        if (lead is not null) _ = LeadAsync(key, review, lead);
        return await flight.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task LeadAsync(string key, Func<Task<TResult>> review, TaskCompletionSource<TResult> lead)
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

    private bool TryGetLocked(string key, out TResult result)
    {
        var now = clock.GetUtcNow();
        return accepted.TryGet(key, now, out result) || denied.TryGet(key, now, out result);
    }

    private void Remember(string key, TResult result)
    {
        var now = clock.GetUtcNow();
        switch (verdictOf(result))
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

namespace KubeMonitor.Facade.MetricsApi;

/// <summary>Who a request is from, as the API server told us (front-proxy headers or a TokenReview).</summary>
internal sealed record Caller(string User, IReadOnlyList<string> Groups, IReadOnlyDictionary<string, IReadOnlyList<string>> Extra)
{
    public const string Masters = "system:masters";

    public bool IsMaster => Groups.Contains(Masters, StringComparer.Ordinal);
}

/// <summary>An answer of a review: who or what was allowed, denied (never a reason to wait), or could not be asked.</summary>
internal readonly record struct Reviewed<T>(Auth.PushCredentialVerdict Verdict, T? Value, string Reason)
{
    public static Reviewed<T> Accepted(T value) => new(Auth.PushCredentialVerdict.Accepted, value, "");

    public static Reviewed<T> Rejected(string reason) => new(Auth.PushCredentialVerdict.Rejected, default, reason);

    public static Reviewed<T> Unavailable(string reason) => new(Auth.PushCredentialVerdict.Unavailable, default, reason);
}

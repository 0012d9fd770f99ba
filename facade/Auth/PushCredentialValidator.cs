namespace KubeMonitor.Facade.Auth;

/// <summary>The verdict on one bearer token.</summary>
public enum PushCredentialVerdict
{
    Accepted,

    /// <summary>The token is known to be wrong: 403.</summary>
    Rejected,

    /// <summary>The token could not be checked (API server down, token file missing): 503, nothing stored.</summary>
    Unavailable,
}

/// <param name="Reason">Why, for the problem's detail and the log; never contains the token.</param>
/// <param name="BoundNode">For an accepted token bound to a pod: the node of that pod, the only one it may push for.</param>
public readonly record struct PushCredentialResult(PushCredentialVerdict Verdict, string Reason, string? BoundNode = null)
{
    public static PushCredentialResult Accepted(string who, string? boundNode = null) => new(PushCredentialVerdict.Accepted, who, boundNode);

    public static PushCredentialResult Rejected(string reason) => new(PushCredentialVerdict.Rejected, reason);

    public static PushCredentialResult Unavailable(string reason) => new(PushCredentialVerdict.Unavailable, reason);
}

/// <summary>Decides whether a bearer token may push.</summary>
public interface IPushCredentialValidator
{
    ValueTask<PushCredentialResult> ValidateAsync(string token, CancellationToken cancellationToken);
}

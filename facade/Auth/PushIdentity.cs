namespace KubeMonitor.Facade.Auth;

/// <summary>
/// The credential a push was let in with. <see cref="PushAuthenticationFilter"/> puts it into
/// <c>HttpContext.Features</c> before the handler runs; read it with <see cref="PushIdentityExtensions.GetPushIdentity"/>.
/// </summary>
/// <param name="Who">For the log: the ServiceAccount, "holder of the shared token", ...</param>
/// <param name="BoundNode">The only node this credential may push for; null when it may push for any.</param>
public sealed record PushIdentity(string Who, string? BoundNode)
{
    public bool MayPushFor(string node) => BoundNode is null || string.Equals(BoundNode, node, StringComparison.Ordinal);
}

public static class PushIdentityExtensions
{
    /// <summary>The identity the push filter accepted, or null (authentication off, or a read let through).</summary>
    public static PushIdentity? GetPushIdentity(this HttpContext http) => http.Features.Get<PushIdentity>();
}

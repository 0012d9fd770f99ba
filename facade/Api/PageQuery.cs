using System.Buffers.Text;
using System.Globalization;
using System.Text;
using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KubeMonitor.Facade.Api;

/// <summary>
/// A checked <c>?limit=&amp;continue=</c> of a pod list (an addition to docs/api.md: without
/// <c>limit</c> a list is whole, as before). <c>continue</c> is the opaque token of the
/// previous page: where it ended, so pods created or freed between pages neither shift nor
/// repeat the rest.
/// </summary>
internal sealed record PageQuery(int Limit, PodKey? After)
{
    public const int MaxLimit = 10_000;

    /// <summary>Null page and no problem when neither is given (the whole list is asked for).</summary>
    public static (PageQuery? Page, ProblemHttpResult? Problem) Parse(string? limit, string? continueToken)
    {
        if (limit is null)
        {
            return continueToken is null ? (null, null) : (null, Problems.BadRequest("continue needs the limit of the list it continues."));
        }
        if (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size < 1 || size > MaxLimit)
        {
            return (null, Problems.BadRequest($"limit must be an integer from 1 to {MaxLimit}, got '{limit}'."));
        }
        if (continueToken is null) return (new PageQuery(size, null), null);
        return TryDecode(continueToken, out var after)
            ? (new PageQuery(size, after), null)
            : (null, Problems.BadRequest("continue is not a token this facade handed out."));
    }

    /// <summary>The token of a page that ended at <paramref name="last"/>: base64url of "namespace/name".</summary>
    public static string Token(PodView last) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{last.Namespace}/{last.Name}"));

    private static bool TryDecode(string token, out PodKey after)
    {
        after = default;
        if (token.Length > 512) return false;
        var bytes = new byte[Base64Url.GetMaxDecodedLength(token.Length)];
        if (Base64Url.DecodeFromChars(token, bytes, out _, out var written) != System.Buffers.OperationStatus.Done) return false;
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        // Names never hold a '/', so the first one splits namespace from name.
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !KubernetesNames.IsLabel(text[..slash]) || !KubernetesNames.IsSubdomain(text[(slash + 1)..])) return false;
        after = new PodKey(text[..slash], text[(slash + 1)..]);
        return true;
    }
}

using System.Buffers.Text;
using System.Globalization;
using System.Text;
using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Queries;
using KubeMonitor.Facade.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KubeMonitor.Facade.Api;

/// <summary>
/// A checked <c>?limit=&amp;continue=&amp;sort=</c> of a pod list (an addition to docs/api.md:
/// without <c>limit</c> a list is whole, as before). <c>continue</c> is the opaque token of the
/// previous page: where it ended (the last pod's key, and in a sorted list its value too), so
/// pods created or freed between pages neither shift nor repeat the rest.
/// </summary>
internal sealed record PageQuery(int Limit, PodOrder Order, PodPosition? After)
{
    public const int MaxLimit = 10_000;

    /// <summary>Null page and no problem when none is given (the whole list is asked for).</summary>
    public static (PageQuery? Page, ProblemHttpResult? Problem) Parse(string? limit, string? continueToken, string? sort)
    {
        if (limit is null)
        {
            if (continueToken is not null) return (null, Problems.BadRequest("continue needs the limit of the list it continues."));
            return sort is null ? (null, null) : (null, Problems.BadRequest("sort orders a paged list: give limit too."));
        }
        if (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size < 1 || size > MaxLimit)
        {
            return (null, Problems.BadRequest($"limit must be an integer from 1 to {MaxLimit}, got '{limit}'."));
        }
        var order = PodOrder.ByKey;
        if (sort is not null)
        {
            if (PodOrder.Parse(sort) is not { } parsed)
            {
                return (null, Problems.BadRequest($"sort must be a field of a pod view, '-' first for descending ({string.Join(", ", PodOrder.Fields)}); got '{sort}'."));
            }
            order = parsed;
        }
        if (continueToken is null) return (new PageQuery(size, order, null), null);
        if (!TryDecode(continueToken, out var tokenSort, out var after)) return (null, Problems.BadRequest("continue is not a token this facade handed out."));
        if (tokenSort != (order.IsByKey ? null : order.Text)) return (null, Problems.BadRequest("continue is the token of a list in another order: pass the sort it was made with."));
        var position = order.IsByKey ? new PodPosition(default, after.Key) : ParsePosition(order, after);
        return position is { } valid
            ? (new PageQuery(size, order, valid), null)
            : (null, Problems.BadRequest("continue is not a token this facade handed out."));
    }

    /// <summary>
    /// The token of a page that ended at <paramref name="last"/>: base64url of "namespace/name",
    /// or in a sorted list of "sort\nvalue\nnamespace/name" (value empty when missing).
    /// </summary>
    public static string Token(PodOrder order, PodResult last)
    {
        var key = $"{last.Pod.Namespace}/{last.Pod.Name}";
        if (order.IsByKey) return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key));
        var value = order.ValueOf(last);
        var shown = order.IsText ? value.Text ?? "" : double.IsNaN(value.Number) ? "" : value.Number.ToString("R", CultureInfo.InvariantCulture);
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{order.Text}\n{shown}\n{key}"));
    }

    /// <summary>The value as the token wrote it; null when it cannot be one of this order.</summary>
    private static PodPosition? ParsePosition(PodOrder order, (string Value, PodKey Key) after)
    {
        if (after.Value.Length == 0) return new PodPosition(new SortValue(double.NaN, null), after.Key);
        if (order.IsText) return KubernetesNames.IsSubdomain(after.Value) ? new PodPosition(new SortValue(double.NaN, after.Value), after.Key) : null;
        return double.TryParse(after.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? new PodPosition(new SortValue(number, null), after.Key)
            : null;
    }

    private static bool TryDecode(string token, out string? sort, out (string Value, PodKey Key) after)
    {
        (sort, after) = (null, default);
        if (token.Length > 1024) return false;
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
        var parts = text.Split('\n');
        if (parts.Length is not (1 or 3)) return false;
        var keyText = parts[^1];
        // Names never hold a '/', so the first one splits namespace from name.
        var slash = keyText.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !KubernetesNames.IsLabel(keyText[..slash]) || !KubernetesNames.IsSubdomain(keyText[(slash + 1)..])) return false;
        if (parts.Length == 3) sort = parts[0];
        after = (parts.Length == 3 ? parts[1] : "", new PodKey(keyText[..slash], keyText[(slash + 1)..]));
        return true;
    }
}

namespace KubeMonitor.Facade.Common;

/// <summary>
/// Kubernetes' rules for label keys and values (docs/api.md section 6), as the API server checks
/// them: a key is an optional DNS-1123 subdomain prefix and '/', then a name of 1 to 63 characters
/// of [A-Za-z0-9._-] that starts and ends with a letter or digit; a value is empty or such a name.
/// </summary>
internal static class KubernetesLabels
{
    private const int MaxNameLength = 63;

    public static bool IsKey(string? key)
    {
        if (string.IsNullOrEmpty(key)) return false;
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0) return IsName(key);
        return KubernetesNames.IsSubdomain(key[..slash]) && IsName(key[(slash + 1)..]);
    }

    public static bool IsValue(string? value) => value is not null && (value.Length == 0 || IsName(value));

    private static bool IsName(string name)
    {
        if (name.Length is 0 or > MaxNameLength || !char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1])) return false;
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-')) return false;
        }
        return true;
    }
}

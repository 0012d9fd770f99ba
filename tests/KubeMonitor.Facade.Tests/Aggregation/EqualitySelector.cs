namespace KubeMonitor.Facade.Tests.Aggregation;

/// <summary>
/// The equality-based label selectors (<c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, comma = and) that the
/// stand-in's core lists apply, as the API server does; the metrics API's selectors are the facade's.
/// </summary>
internal static class EqualitySelector
{
    public static bool Matches(string? selector, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var term in (selector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (key, value, equal) = term.Split("!=") is [var k, var v] ? (k, v, false)
                : term.Split("==") is [var k2, var v2] ? (k2, v2, true)
                : term.Split('=') is [var k3, var v3] ? (k3, v3, true)
                : throw new NotSupportedException($"The stand-in takes equality selectors only, not '{term}'.");
            var has = labels.TryGetValue(key.Trim(), out var actual) && actual == value.Trim();
            if (has != equal) return false;
        }
        return true;
    }
}

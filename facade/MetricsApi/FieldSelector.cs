namespace KubeMonitor.Facade.MetricsApi;

/// <summary>
/// A <c>fieldSelector</c> of the metrics API (docs/api.md section 7): <c>metadata.name</c> and
/// <c>metadata.namespace</c> with <c>=</c>, <c>==</c> or <c>!=</c>, joined by commas, as metrics-server takes them.
/// </summary>
internal sealed class FieldSelector
{
    public static readonly FieldSelector Everything = new([]);

    private readonly IReadOnlyList<(string Field, bool Equal, string Value)> _terms;

    private FieldSelector(IReadOnlyList<(string Field, bool Equal, string Value)> terms) => _terms = terms;

    /// <summary>The one name every match must have (<c>metadata.name=x</c>), if the selector says so: the list can be read for it alone.</summary>
    public string? RequiredName => _terms.Where(t => t.Field == "metadata.name" && t.Equal).Select(t => t.Value).FirstOrDefault();

    public string? RequiredNamespace => _terms.Where(t => t.Field == "metadata.namespace" && t.Equal).Select(t => t.Value).FirstOrDefault();

    public bool Matches(string name, string? @namespace = null) => _terms.All(t =>
        (t.Field == "metadata.name" ? name : @namespace ?? "") == t.Value == t.Equal);

    /// <exception cref="FormatException">With what is wrong.</exception>
    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var terms = new List<(string, bool, string)>();
        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            var (at, length, equal) = term.IndexOf("!=", StringComparison.Ordinal) is >= 0 and var ne ? (ne, 2, false)
                : term.IndexOf("==", StringComparison.Ordinal) is >= 0 and var eq2 ? (eq2, 2, true)
                : term.IndexOf('=') is >= 0 and var eq ? (eq, 1, true)
                : throw new FormatException($"invalid selector: '{text}'; can't understand '{term}'");
            var field = term[..at].Trim();
            var value = term[(at + length)..].Trim();
            if (field is not ("metadata.name" or "metadata.namespace"))
            {
                throw new FormatException($"field label not supported: {field}");
            }
            if (value.Contains('=') || value.Contains('!')) throw new FormatException($"invalid selector: '{text}'; can't understand '{term}'");
            terms.Add((field, equal, value));
        }
        return new FieldSelector(terms);
    }
}

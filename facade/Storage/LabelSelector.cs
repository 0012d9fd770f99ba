namespace KubeMonitor.Facade.Storage;

internal enum LabelOperator
{
    Equal,
    NotEqual,
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// <summary>One requirement of a selector; a pod without the key passes only <c>!=</c>, <c>notin</c> and <c>!key</c>, as in Kubernetes.</summary>
internal sealed record LabelRequirement(string Key, LabelOperator Operator, IReadOnlyList<string> Values)
{
    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        string? value = null;
        var has = labels is not null && labels.TryGetValue(Key, out value);
        return Operator switch
        {
            LabelOperator.Equal or LabelOperator.In => has && Values.Contains(value!, StringComparer.Ordinal),
            LabelOperator.NotEqual or LabelOperator.NotIn => !has || !Values.Contains(value!, StringComparer.Ordinal),
            LabelOperator.Exists => has,
            _ => !has,
        };
    }
}

/// <summary>
/// A Kubernetes label selector (<c>?labelSelector=</c>, docs/api.md section 6): requirements
/// joined by commas, all of which a pod's labels must meet. The empty selector matches every pod.
/// Parsed from text by Api/LabelSelectorParser.
/// </summary>
internal sealed class LabelSelector(IReadOnlyList<LabelRequirement> requirements)
{
    public IReadOnlyList<LabelRequirement> Requirements { get; } = requirements;

    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        foreach (var requirement in Requirements)
        {
            if (!requirement.Matches(labels)) return false;
        }
        return true;
    }

    /// <summary>The same selector over keys as a source names them (Prometheus label names are sanitized keys).</summary>
    public LabelSelector WithKeys(Func<string, string> map) => new([.. Requirements.Select(r => r with { Key = map(r.Key) })]);
}

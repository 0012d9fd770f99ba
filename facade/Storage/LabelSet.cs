using System.Diagnostics.CodeAnalysis;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// A pod's or node's labels (docs/api.md section 6): immutable, ordered by key, held flat (one
/// array per entity, not a dictionary) and equal by content, so an entity keeps one set until a
/// sample says otherwise.
/// </summary>
internal sealed class LabelSet : IReadOnlyDictionary<string, string>, IEquatable<LabelSet>
{
    public static readonly LabelSet Empty = new([], []);

    private readonly string[] _keys;
    private readonly string[] _values;

    private LabelSet(string[] keys, string[] values)
    {
        _keys = keys;
        _values = values;
    }

    /// <summary>The labels ordered by key; null stays null (no labels were sent).</summary>
    [return: NotNullIfNotNull(nameof(labels))]
    public static LabelSet? Of(IEnumerable<KeyValuePair<string, string>>? labels)
    {
        if (labels is null) return null;
        var pairs = labels.ToArray();
        if (pairs.Length == 0) return Empty;
        var keys = pairs.Select(p => p.Key).ToArray();
        var values = pairs.Select(p => p.Value).ToArray();
        Array.Sort(keys, values, StringComparer.Ordinal);
        return new LabelSet(keys, values);
    }

    public int Count => _keys.Length;

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => _keys;

    public IEnumerable<string> Values => _values;

    public bool ContainsKey(string key) => Array.BinarySearch(_keys, key, StringComparer.Ordinal) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var at = Array.BinarySearch(_keys, key, StringComparer.Ordinal);
        value = at >= 0 ? _values[at] : null;
        return at >= 0;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var i = 0; i < _keys.Length; i++) yield return new(_keys[i], _values[i]);
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(LabelSet? other) =>
        other is not null && _keys.AsSpan().SequenceEqual(other._keys) && _values.AsSpan().SequenceEqual(other._values);

    public override bool Equals(object? obj) => Equals(obj as LabelSet);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        for (var i = 0; i < _keys.Length; i++)
        {
            hash.Add(_keys[i], StringComparer.Ordinal);
            hash.Add(_values[i], StringComparer.Ordinal);
        }
        return hash.ToHashCode();
    }
}

using System.Text;

namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// One string object per distinct text read at start. The log names every pod in full in every
/// push, so a replay would otherwise make the same namespace, node and label strings millions of
/// times over (most of its garbage); the entities then also share them instead of holding copies.
/// </summary>
internal sealed class StringPool
{
    // Past this many distinct strings the pool starts again: it bounds the pool, not the strings.
    private const int MaxStrings = 4_000_000;
    private const int StackChars = 256;

    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public StringPool() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The string of these UTF-8 bytes, the same object each time.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return string.Empty;
        var chars = utf8.Length <= StackChars ? stackalloc char[StackChars] : new char[utf8.Length];
        var text = chars[..Encoding.UTF8.GetChars(utf8, chars)];
        if (_lookup.TryGetValue(text, out var known)) return known;
        if (_strings.Count >= MaxStrings) _strings.Clear();
        var made = text.ToString();
        _strings[made] = made;
        return made;
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Ingest;

/// <summary>
/// The strings of each node's last push, in the order they were read. A node pushes the same
/// pods every interval, so nearly every name, uid, owner and label of a push is the string at
/// the same place in the one before: comparing the JSON text with it
/// (<see cref="Utf8JsonReader.ValueTextEquals(string)"/>, no allocation) and taking it saves
/// making the string again. Those strings were about half of what a push allocated, and so of the
/// collections that ingest paid for (docs/benchmarks.md). A string that differs is read as usual
/// and takes the place, so what is returned is always the text of the push; when the store
/// already shares that text (a namespace, an owner, a container name: <see cref="NamePool"/>) the
/// place takes the shared copy, not one of its own for each pod of each node.
/// </summary>
/// <remarks>
/// Two pushes of one node at once (a retry beside its original) may write the same places: each
/// then compares with what the other wrote, which costs a string, never a wrong one. Bounded: at
/// most <see cref="MaxNodes"/> nodes (past it, the table starts over) and <see cref="MaxStrings"/>
/// places a node (a longer push reads the rest as usual).
/// </remarks>
internal sealed class RecentStrings
{
    public const int MaxNodes = 16_384;
    public const int MaxStrings = 8_192;

    private ConcurrentDictionary<string, Places> _nodes = new(StringComparer.Ordinal);

    /// <summary>A reader of one push of <paramref name="node"/>: its strings are compared with the node's last push's, place by place.</summary>
    public Cursor Start(string node)
    {
        var nodes = Volatile.Read(ref _nodes);
        if (!nodes.TryGetValue(node, out var places))
        {
            if (nodes.Count >= MaxNodes) Volatile.Write(ref _nodes, nodes = new ConcurrentDictionary<string, Places>(StringComparer.Ordinal));
            places = nodes.GetOrAdd(node, static _ => new Places());
        }
        return new Cursor(places);
    }

    /// <summary>The strings of one node, by the order in which its pushes read them.</summary>
    internal sealed class Places
    {
        public string?[] Strings = new string?[64];
    }

    /// <summary>Where a push's reading is in its node's <see cref="Places"/>.</summary>
    internal struct Cursor(Places places)
    {
        private int _next;

        /// <summary>The string at the reader (a string or a property name), the last push's at this place when it has the same text.</summary>
        public string Take(ref Utf8JsonReader reader)
        {
            var place = _next++;
            var strings = places.Strings;
            if (place < strings.Length && strings[place] is { } recent && reader.ValueTextEquals(recent)) return recent;
            var read = NamePool.Pooled(reader.GetString()!);
            if (place >= strings.Length)
            {
                if (place >= MaxStrings) return read;
                Array.Resize(ref strings, Math.Min(MaxStrings, Math.Max(place + 1, strings.Length * 2)));
                places.Strings = strings;
            }
            strings[place] = read;
            return read;
        }
    }
}

using System.Text;
using System.Text.Json;
using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Ingest;

/// <summary>
/// Where a push holds the columns of a field table, as the tree of its JSON objects
/// (<c>pressure</c>, then <c>cpu</c>, then <c>waitingSecondsTotal</c>), made once from the table's
/// push paths. <see cref="DirectBatchReader"/> finds a value's column with it, so the fields stay
/// listed in one place (Fields.cs).
/// </summary>
internal sealed class PushLayout
{
    private readonly byte[][] _names;
    private readonly PushLayout?[] _sections;
    private readonly int[] _columns;

    private PushLayout(byte[][] names, PushLayout?[] sections, int[] columns) =>
        (_names, _sections, _columns) = (names, sections, columns);

    /// <summary>The layout of a table's values, which all sit in sections of the entity's object.</summary>
    public static PushLayout Of(FieldTable table) =>
        Build(table.Fields.Select((field, column) => (Path: field.PushPath.Split('.'), Column: column)).ToList(), depth: 0);

    private static PushLayout Build(List<(string[] Path, int Column)> fields, int depth)
    {
        var names = new List<byte[]>();
        var sections = new List<PushLayout?>();
        var columns = new List<int>();
        foreach (var group in fields.GroupBy(f => f.Path[depth]))
        {
            names.Add(Encoding.UTF8.GetBytes(group.Key));
            var members = group.ToList();
            if (members is [var leaf] && leaf.Path.Length == depth + 1)
            {
                sections.Add(null);
                columns.Add(leaf.Column);
            }
            else
            {
                if (members.Any(m => m.Path.Length == depth + 1)) throw new ArgumentException($"'{group.Key}' is both a value and a section.");
                sections.Add(Build(members, depth + 1));
                columns.Add(-1);
            }
        }
        if (names.Count > 64) throw new ArgumentException("A section of more than 64 members does not fit a reader's mask of those seen.");
        return new PushLayout([.. names], [.. sections], [.. columns]);
    }

    /// <summary>The member named by the property at the reader, or -1 when this layout has none of that name.</summary>
    public int Find(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < _names.Length; i++)
        {
            if (reader.ValueTextEquals(_names[i])) return i;
        }
        return -1;
    }

    /// <summary>Member <paramref name="member"/>'s own layout when it is a section, null when it is a value.</summary>
    public PushLayout? Section(int member) => _sections[member];

    /// <summary>The column of member <paramref name="member"/>, a value.</summary>
    public int Column(int member) => _columns[member];
}

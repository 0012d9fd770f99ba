namespace KubeMonitor.Facade.Storage;

/// <summary>
/// The raw values of one entity kind, in the column order in which every layer holds them: a push
/// is validated, a sample stored, a Prometheus series mapped, a rate, a rollup and a summary
/// computed from this one list. NaN in a column means "not in this sample".
/// </summary>
internal class FieldTable
{
    public FieldTable(string kind, IReadOnlyList<Field> fields)
    {
        Kind = kind;
        Fields = fields;
        _referenceOf = new int[fields.Count];
        for (var i = 0; i < fields.Count; i++) _referenceOf[i] = fields[i].PredictedFrom is { } path ? Column(path) : -1;
        References = _referenceOf.Any(r => r >= 0) ? new ColumnReferences(_referenceOf) : null;
    }

    // Per column, the column it is predicted from (Field.PredictedFrom), or -1.
    private readonly int[] _referenceOf;

    /// <summary>The entity kind (<c>node</c>, <c>pod</c>, <c>container</c>), for messages.</summary>
    public string Kind { get; }

    public IReadOnlyList<Field> Fields { get; }

    /// <summary>The columns the store codes from another of their row (<see cref="Field.PredictedFrom"/>), or null when none is.</summary>
    public ColumnReferences? References { get; }

    public int Count => Fields.Count;

    /// <summary>The column that <paramref name="column"/> is coded from (<see cref="Field.PredictedFrom"/>), or -1.</summary>
    public int ReferenceOf(int column) => _referenceOf[column];

    /// <summary>The column of the value at <paramref name="path"/> (<c>cpu.usageSecondsTotal</c>).</summary>
    public int Column(string path)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (Fields[i].Path == path) return i;
        }
        throw new ArgumentException($"A {Kind} has no value '{path}'.", nameof(path));
    }

    /// <summary>A row of this kind with no value yet.</summary>
    public double[] EmptyRow()
    {
        var row = new double[Count];
        Array.Fill(row, double.NaN);
        return row;
    }
}

/// <summary>A <see cref="FieldTable"/> that also reads its values from a pushed sample.</summary>
internal sealed class FieldTable<TSample>(string kind, params Field<TSample>[] fields) : FieldTable(kind, fields)
{
    public new IReadOnlyList<Field<TSample>> Fields { get; } = fields;
}

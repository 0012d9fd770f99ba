using System.Runtime.CompilerServices;

namespace KubeMonitor.Facade.Storage;

/// <summary>
/// Which columns of a row are predicted from an earlier column of the same row, and from which
/// (<see cref="Field.PredictedFrom"/>). Two values that move together, such as a pod's memory
/// usage and its working set (the page cache holds still while anonymous memory moves), cost
/// the second about what their difference holds instead of what the value's own past leaves
/// unknown (docs/benchmarks.md, "Values coded from the value they move with").
/// The encoder and the decoder of a chunk take the same table, so nothing of it is in the stream.
/// </summary>
internal sealed class ColumnReferences
{
    /// <summary>Columns that others are predicted from, at most, in one row.</summary>
    public const int MaxReferenced = 4;

    // Per column: the slot of the column it is predicted from, or -1; the slot it is itself a reference in, or -1.
    private readonly sbyte[] _predictedFrom;
    private readonly sbyte[] _slot;
    private readonly int[] _involved;

    /// <param name="referenceOf">Per column, the earlier column it is predicted from, or -1.</param>
    public ColumnReferences(ReadOnlySpan<int> referenceOf)
    {
        _predictedFrom = new sbyte[referenceOf.Length];
        _slot = new sbyte[referenceOf.Length];
        _slot.AsSpan().Fill(-1);
        var slots = 0;
        for (var column = 0; column < referenceOf.Length; column++)
        {
            var reference = referenceOf[column];
            if (reference < 0)
            {
                _predictedFrom[column] = -1;
                continue;
            }
            // The decoder has the reference's value of the row only once it has read it.
            if (reference >= column) throw new ArgumentException($"Column {column} is predicted from column {reference}, which does not come before it.", nameof(referenceOf));
            if (_slot[reference] < 0)
            {
                if (slots == MaxReferenced) throw new ArgumentException($"More than {MaxReferenced} columns are references.", nameof(referenceOf));
                _slot[reference] = (sbyte)slots++;
            }
            _predictedFrom[column] = _slot[reference];
        }
        _involved = [.. Enumerable.Range(0, referenceOf.Length).Where(c => _predictedFrom[c] >= 0 || _slot[c] >= 0)];
    }

    public int Count => _slot.Length;

    /// <summary>The columns that are predicted from another or are a reference, in order: the others are coded as if there were no references.</summary>
    public ReadOnlySpan<int> Involved => _involved;

    /// <summary>Per column, the slot of <see cref="ReferenceMoves"/> whose move predicts it, or -1.</summary>
    public ReadOnlySpan<sbyte> PredictedFrom => _predictedFrom;

    /// <summary>Per column, the slot its own move goes to when it is a reference (the row's later columns need it), or -1.</summary>
    public ReadOnlySpan<sbyte> Slots => _slot;
}

/// <summary>
/// How a reference column moved in the row being coded, in its own quanta: its delta in this row
/// and in the row before (<see cref="ColumnState.LastDelta"/> before and after). Unknown (the
/// default) when it holds no number now: the column predicted from it then codes from its own past.
/// </summary>
internal readonly record struct ReferenceMove(bool Known, long Delta, long PreviousDelta)
{
    /// <summary>No reference: passed by reference (<c>in</c>), so that no copy is made for the columns without one.</summary>
    public static readonly ReferenceMove None;

    /// <summary>The move of a column whose delta was <paramref name="previousDelta"/> before the row and whose state is now <paramref name="after"/>.</summary>
    public static ReferenceMove Of(long previousDelta, in ColumnState after) =>
        after.Previous == ValueCodec.PreviousNumber ? new(true, after.LastDelta, previousDelta) : default;
}

/// <summary>
/// The moves of a row's reference columns, by slot: on the stack of the row's encoder or decoder,
/// which write each before a later column of the row reads it.
/// </summary>
[InlineArray(ColumnReferences.MaxReferenced)]
internal struct ReferenceMoves
{
    private ReferenceMove _first;
}

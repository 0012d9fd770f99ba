namespace KubeMonitor.Facade.Storage;

/// <summary>
/// Which rows and columns of a series a reader sees: every column of every row (a node's, or a
/// pod's own columns), or one container's place in its pod's rows (<see cref="PodRowLayout"/>):
/// its columns, in the rows where its presence column holds a number, from the time the container
/// took that place on.
/// </summary>
/// <param name="PresenceColumn">A column that holds a number in the rows the view shows, or -1 for every row.</param>
/// <param name="SinceMs">Rows before this time are not shown (they belong to an earlier holder of the place).</param>
internal readonly record struct RowView(int FirstColumn, int ColumnCount, int PresenceColumn = -1, long SinceMs = long.MinValue)
{
    /// <summary>Every row, columns [0, <paramref name="columnCount"/>).</summary>
    public static RowView First(int columnCount) => new(0, columnCount);

    /// <summary>Whether it shows every row (no presence column, no start).</summary>
    public bool EveryRow => PresenceColumn < 0 && SinceMs == long.MinValue;

    public bool Shows(long timestampMs, ReadOnlySpan<double> row) =>
        timestampMs >= SinceMs && (PresenceColumn < 0 || !double.IsNaN(row[PresenceColumn]));

    public ReadOnlySpan<double> Of(ReadOnlySpan<double> row) => row.Slice(FirstColumn, ColumnCount);
}

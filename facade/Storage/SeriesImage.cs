namespace KubeMonitor.Facade.Storage;

/// <summary>
/// One <see cref="EntitySeries"/> as a checkpoint holds it: closed chunks as they are, the open
/// head's rows decoded (row-major), and the oldest timestamp still visible.
/// </summary>
internal sealed record SeriesImage(IReadOnlyList<ClosedChunk> Chunks, long[] HeadTimestamps, double[] HeadValues, long OldestVisibleMs)
{
    public static readonly SeriesImage Empty = new([], [], [], 0);
}

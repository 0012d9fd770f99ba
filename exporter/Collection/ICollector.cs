namespace KubeMonitor.Exporter.Collection;

/// <summary>
/// One source of numbers (one kernel file or hierarchy). Reads, parses, and fills its part of
/// the snapshot. Throwing means "failed": the runner reports success 0 for this collector and
/// the others still report. A pod or container that vanishes mid-read is not a failure.
/// </summary>
public interface ICollector
{
    /// <summary>The <c>collector</c> label of the duration and success gauges.</summary>
    string Name { get; }

    void Collect(NodeSnapshot snapshot);
}

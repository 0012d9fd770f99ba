namespace KubeMonitor.Exporter.Collection;

/// <summary>
/// Where a finished collection goes: /metrics shows it, the push sends it. A sink never collects
/// and knows nothing of the others; the exporter's wiring decides which sinks see every
/// collection (<see cref="FreshCollections"/>) and which one per interval (<see cref="CollectionLoop"/>).
/// </summary>
public interface ICollectionSink
{
    ValueTask AcceptAsync(CollectionResult collection, CancellationToken cancellationToken);
}

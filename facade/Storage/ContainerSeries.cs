namespace KubeMonitor.Facade.Storage;

/// <summary>One container's samples inside a <see cref="PodEntity"/>.</summary>
internal sealed class ContainerSeries(string name, long createdMs)
{
    public string Name { get; } = name;
    public EntitySeries Samples { get; } = EntitySeries.Staggered(ContainerFields.Table);
    public long NewestMs => Samples.LastTimestamp ?? createdMs;
}

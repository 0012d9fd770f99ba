namespace KubeMonitor.TestSupport;

/// <summary>
/// Tests that create real cgroups, namespaces or load on this machine and measure it. They run
/// one at a time and never beside other tests, so that measured rates are not disturbed.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealLoad
{
    public const string Name = "Real load on this host";
}

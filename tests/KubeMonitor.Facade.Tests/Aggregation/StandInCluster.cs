namespace KubeMonitor.Facade.Tests.Aggregation;

/// <summary>A node as the core API lists it: labels, and the allocatable CPU and memory kubectl's percentages divide by.</summary>
internal sealed record StandInNode(string Name, IReadOnlyDictionary<string, string> Labels, string AllocatableCpu, string AllocatableMemory);

/// <summary>A pod as the core API lists it (kubectl asks only when the metrics API has none).</summary>
internal sealed record StandInPod(string Namespace, string Name, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<string> Containers);

/// <summary>What the stand-in API server's core lists hold.</summary>
internal sealed record StandInCluster(IReadOnlyList<StandInNode> Nodes, IReadOnlyList<StandInPod> Pods);

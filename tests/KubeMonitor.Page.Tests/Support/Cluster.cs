namespace KubeMonitor.Page.Tests.Support;

/// <summary>The small cluster most page tests push: three nodes, pods in three namespaces, two deployments in one.</summary>
public static class Cluster
{
    private static Dictionary<string, string> Labels(params string[] pairs) =>
        pairs.Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);

    public static readonly PodLoad Web1 = new("shop", "web-7c9f8d6b5-aaaa1", "web", 0.1, 100 * Samples.MiB, Labels("app=web", "tier=frontend"));
    public static readonly PodLoad Web2 = new("shop", "web-7c9f8d6b5-aaaa2", "web", 0.3, 300 * Samples.MiB, Labels("app=web", "tier=frontend"));
    public static readonly PodLoad Web3 = new("shop", "web-7c9f8d6b5-aaaa3", "web", 0.2, 200 * Samples.MiB, Labels("app=web", "tier=frontend"));
    public static readonly PodLoad Cart = new("shop", "cart-7c9f8d6b5-bbbb1", "cart", 0.4, 150 * Samples.MiB, Labels("app=cart", "tier=backend"));
    public static readonly PodLoad Api = new("payments", "api-7c9f8d6b5-cccc1", "api", 0.05, 50 * Samples.MiB, Labels("app=api"));
    public static readonly PodLoad Dns = new("kube-system", "dns-0", null, 0.02, 20 * Samples.MiB, Labels("k8s-app=dns"));

    public static readonly NodeLoad NodeA = new("node-a", 1.5, 2048 * Samples.MiB, [Web1, Web2]);
    public static readonly NodeLoad NodeB = new("node-b", 2.5, 4096 * Samples.MiB, [Web3, Cart]);
    public static readonly NodeLoad NodeC = new("node-c", 3.0, 6144 * Samples.MiB, [Api, Dns]);

    public static IReadOnlyList<NodeLoad> Nodes { get; } = [NodeA, NodeB, NodeC];

    public static IEnumerable<PodLoad> Pods => Nodes.SelectMany(n => n.Pods);
}

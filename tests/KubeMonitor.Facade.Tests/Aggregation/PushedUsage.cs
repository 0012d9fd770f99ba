using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace KubeMonitor.Facade.Tests.Aggregation;

/// <summary>A container's CPU counter at the two samples and its working set.</summary>
internal sealed record ContainerUsage(string Name, double CpuSecondsBefore, double CpuSecondsAfter, long WorkingSetBytes);

internal sealed record PodUsage(string Namespace, string Name, string Node, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<ContainerUsage> Containers);

/// <summary>A node's CPU counter at the two samples, its used memory, and what the core API says it has allocatable.</summary>
internal sealed record NodeUsage(
    string Name, IReadOnlyDictionary<string, string> Labels, double CpuSecondsBefore, double CpuSecondsAfter, long UsedBytes, string AllocatableCpu, string AllocatableMemory);

/// <summary>
/// Known usage, pushed through the facade's batch API as two samples per entity <see cref="Window"/>
/// apart, so that every CPU value is a rate: each counter difference over the window is a whole
/// number of millicores, and each working set a whole number of MiB.
/// </summary>
internal static class PushedUsage
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private static Dictionary<string, string> L(params (string Key, string Value)[] labels) => labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);

    public static IReadOnlyList<NodeUsage> Nodes { get; } =
    [
        // 12.5 s of CPU in 10 s: 1250m; 3 GiB used: 3072Mi.
        new("node-a", L(("pool", "blue"), ("kubernetes.io/hostname", "node-a")), 1000, 1012.5, 3L << 30, "4", "8Gi"),
        new("node-b", L(("pool", "green"), ("kubernetes.io/hostname", "node-b")), 500, 503, 1536L << 20, "2", "4Gi"),
    ];

    public static IReadOnlyList<PodUsage> Pods { get; } =
    [
        new("default", "web-1", "node-a", L(("app", "web"), ("tier", "front")), [new("app", 10, 12, 100L << 20), new("sidecar", 1, 1.5, 20L << 20)]),
        new("default", "web-2", "node-b", L(("app", "web")), [new("app", 5, 6, 80L << 20), new("sidecar", 2, 2.25, 10L << 20)]),
        new("default", "db-0", "node-a", L(("app", "db")), [new("db", 50, 54, 512L << 20)]),
        new("shop", "cart-1", "node-b", L(("app", "web")), [new("cart", 0, 0.75, 64L << 20)]),
    ];

    /// <summary>The core API's view of the same cluster, for the stand-in API server.</summary>
    public static StandInCluster Cluster { get; } = new(
        [.. Nodes.Select(n => new StandInNode(n.Name, n.Labels, n.AllocatableCpu, n.AllocatableMemory))],
        [.. Pods.Select(p => new StandInPod(p.Namespace, p.Name, p.Labels, [.. p.Containers.Select(c => c.Name)]))]);

    public static long Millicores(double before, double after) => (long)Math.Round((after - before) / Window.TotalSeconds * 1000);

    public static long Millicores(ContainerUsage c) => Millicores(c.CpuSecondsBefore, c.CpuSecondsAfter);

    public static long Millicores(PodUsage p) => p.Containers.Sum(Millicores);

    public static long Mebibytes(long bytes) => bytes >> 20;

    /// <summary>Pushes both samples of every node and its pods, the newer one <paramref name="age"/> old; returns the newer one's time.</summary>
    public static async Task<DateTimeOffset> PushAsync(HttpClient facade, TimeSpan age)
    {
        var newest = DateTimeOffset.UtcNow - age;
        foreach (var (sample, at) in new[] { (0, newest - Window), (1, newest) })
        {
            foreach (var node in Nodes)
            {
                var body = Batch(node, Pods.Where(p => p.Node == node.Name), sample, at);
                using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
                using var pushed = await facade.PostAsync(new Uri($"/api/nodes/{node.Name}/batch", UriKind.Relative), content);
                Assert.True(pushed.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.NoContent, $"push {node.Name}: {(int)pushed.StatusCode} {await pushed.Content.ReadAsStringAsync()}");
            }
        }
        return newest;
    }

    private static JsonObject Batch(NodeUsage node, IEnumerable<PodUsage> pods, int sample, DateTimeOffset at)
    {
        static JsonObject Labels(IReadOnlyDictionary<string, string> labels) => new([.. labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))]);
        static double Cpu(double before, double after, int sample) => sample == 0 ? before : after;
        return new JsonObject
        {
            ["timestamp"] = at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["node"] = new JsonObject
            {
                ["labels"] = Labels(node.Labels),
                ["cpu"] = new JsonObject { ["usageSecondsTotal"] = Cpu(node.CpuSecondsBefore, node.CpuSecondsAfter, sample), ["capacityCores"] = 4 },
                ["memory"] = new JsonObject { ["totalBytes"] = 8L << 30, ["availableBytes"] = (8L << 30) - node.UsedBytes, ["usedBytes"] = node.UsedBytes },
            },
            ["pods"] = new JsonArray([.. pods.Select(pod => (JsonNode)new JsonObject
            {
                ["name"] = pod.Name,
                ["namespace"] = pod.Namespace,
                ["labels"] = Labels(pod.Labels),
                ["cpu"] = new JsonObject { ["usageSecondsTotal"] = pod.Containers.Sum(c => Cpu(c.CpuSecondsBefore, c.CpuSecondsAfter, sample)) },
                ["memory"] = new JsonObject { ["workingSetBytes"] = pod.Containers.Sum(c => c.WorkingSetBytes) },
                ["containers"] = new JsonArray([.. pod.Containers.Select(c => (JsonNode)new JsonObject
                {
                    ["name"] = c.Name,
                    ["cpu"] = new JsonObject { ["usageSecondsTotal"] = Cpu(c.CpuSecondsBefore, c.CpuSecondsAfter, sample) },
                    ["memory"] = new JsonObject { ["workingSetBytes"] = c.WorkingSetBytes },
                })]),
            })]),
        };
    }
}

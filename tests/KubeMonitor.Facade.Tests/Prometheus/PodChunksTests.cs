using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Sources.Prometheus;

namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>The pods of a request split into queries of bounded size.</summary>
public sealed class PodChunksTests
{
    private static readonly List<PodKey> Keys =
    [
        new("a", "a-1"), new("a", "a-2"),
        new("b", "b-1"), new("b", "b-2"), new("b", "b-3"), new("b", "b.4"),
        new("c", "c-1"),
    ];

    [Fact]
    public void Whole_namespaces_are_read_by_namespace_and_the_rest_by_name()
    {
        var chunks = PodChunks.Split(Keys, 0, Keys.Count, maxPods: 3, maxWholeNamespacePods: 3);

        Assert.Equal(
        [
            // b has more pods than a whole-namespace query takes: named, 3 a regex.
            "namespace=\"b\",pod=~\"b-1|b-2|b-3\" b/b-1 b/b-2 b/b-3",
            "namespace=~\"a|c\" a/a-1 a/a-2 c/c-1",
            "namespace=\"b\",pod=\"b.4\" b/b.4",
        ], chunks.Select(Render));
    }

    [Fact]
    public void A_namespace_cut_by_the_range_is_read_by_name_and_every_key_is_in_one_chunk()
    {
        var chunks = PodChunks.Split(Keys, 1, 5, maxPods: 10, maxWholeNamespacePods: 10);

        Assert.Equal(["namespace=~\"a|b\",pod=~\"a-2|b-1|b-2|b-3\" a/a-2 b/b-1 b/b-2 b/b-3"], chunks.Select(Render));
    }

    [Fact]
    public void Without_whole_namespaces_chunks_follow_the_key_order()
    {
        var chunks = PodChunks.Split(Keys, 0, Keys.Count, maxPods: 4, maxWholeNamespacePods: 0);

        Assert.Equal(Keys, chunks.SelectMany(c => c.Keys));
        Assert.Equal("namespace=~\"b|c\",pod=~\"b-3|b\\\\.4|c-1\"", chunks[1].Matchers);
    }

    private static string Render(PodChunk chunk) => $"{chunk.Matchers} {string.Join(" ", chunk.Keys.Select(k => $"{k.Namespace}/{k.Name}"))}";
}

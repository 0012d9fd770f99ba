using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Kubernetes;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Exporter.Tests.Kubernetes;

/// <summary>Labels, requests and limits from the real kubelet PodList (kubernetes-api/podlist.json).</summary>
public sealed class PodResourcesMappingTests
{
    private static JsonObject FixtureJson(string name) => FakeKubeApi.Pod(FakeKubeApi.FixturePodList(), name);

    private static PodMetadata Map(JsonNode pod) => PodMetadataMapper.ToMetadata(KubernetesJson.Deserialize<V1Pod>(pod.ToJsonString()))!;

    private const double Mi = 1024 * 1024;

    [Theory]
    // pod, and its one container's cpu request and limit (cores), memory request and limit (bytes), as the JSON writes them
    [InlineData("e2e-hpa-6cd8d99884-tggnr", 0.2, 0.5, null, null)]                          // 200m, 500m
    [InlineData("metrics-server-9d74bb658-c6nnt", 0.1, null, 200 * Mi, null)]               // 100m, 200Mi
    [InlineData("e2e-statefulset-0", 0.04, 0.08, 15 * Mi, 30 * Mi)]                         // 40m, 80m, 15Mi, 30Mi
    [InlineData("e2e-container-creating", 0.005, 0.005, 5_000_000d, 5_000_000d)]            // 5m, 5M (decimal mega)
    [InlineData("coredns-7d764666f9-qdcxt", 0.1, null, 70 * Mi, 170 * Mi)]
    [InlineData("e2e-failjob-64h4g", null, null, null, null)]                               // resources: {}
    public void Requests_and_limits_come_from_the_spec_in_cores_and_bytes(string name, double? cpuRequest, double? cpuLimit, double? memoryRequest, double? memoryLimit)
    {
        var metadata = Map(FixtureJson(name));

        var expected = new RequestsAndLimits(cpuRequest, cpuLimit, memoryRequest, memoryLimit);
        var container = Assert.Single(metadata.Containers);
        Assert.Equal(expected, container.Resources);
        Assert.Equal(expected, metadata.ResourcesOf(container.Name));
        Assert.Equal(expected, metadata.Resources); // one container: the pod's sums are its values
    }

    [Fact]
    public void Labels_are_the_pods_own_as_the_api_sends_them()
    {
        foreach (var item in FakeKubeApi.Items(FakeKubeApi.FixturePodList()))
        {
            var expected = item!["metadata"]!["labels"]!.AsObject().ToDictionary(l => l.Key, l => (string)l.Value!);

            Assert.Equal(expected, Map(item).Labels);
        }
        Assert.Equal("kube-state-metrics", Map(FixtureJson("e2e-kube-state-metrics-75b885dc9-97mtr")).Labels!["app.kubernetes.io/name"]);
    }

    [Fact]
    public void A_pod_without_labels_has_empty_labels_not_unknown_ones()
    {
        var pod = FixtureJson("e2e-hpa-6cd8d99884-tggnr");
        pod["metadata"]!.AsObject().Remove("labels");

        Assert.Empty(Map(pod).Labels!);
    }

    [Fact]
    public void The_pods_sums_cover_its_regular_containers_and_one_without_a_value_leaves_the_pod_without_it()
    {
        // The statefulset pod (40m/80m cpu, 15Mi/30Mi memory) given a sidecar without a CPU limit
        // and an init container with large values that must not count.
        var pod = FixtureJson("e2e-statefulset-0");
        var containers = pod["spec"]!["containers"]!.AsArray();
        containers.Add(new JsonObject
        {
            ["name"] = "sidecar",
            ["image"] = "busybox",
            ["resources"] = new JsonObject
            {
                ["requests"] = new JsonObject { ["cpu"] = "1.5", ["memory"] = "1Gi" },
                ["limits"] = new JsonObject { ["memory"] = "2Gi" },
            },
        });
        pod["spec"]!["initContainers"] = new JsonArray(new JsonObject
        {
            ["name"] = "migrate",
            ["image"] = "busybox",
            ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "4", ["memory"] = "8Gi" }, ["limits"] = new JsonObject { ["cpu"] = "4", ["memory"] = "8Gi" } },
        });

        var metadata = Map(pod);

        Assert.Equal(["compute-pi-digits", "sidecar"], metadata.Containers.Select(c => c.Name));
        Assert.Equal(new RequestsAndLimits(1.5, null, 1024 * Mi, 2048 * Mi), metadata.ResourcesOf("sidecar"));
        Assert.Equal(new RequestsAndLimits(1.54, null, 1039 * Mi, 2078 * Mi), metadata.Resources);
        Assert.Null(metadata.ResourcesOf("migrate"));
    }

    [Theory]
    [InlineData("500m", 0.5)]
    [InlineData("1", 1)]
    [InlineData("1.5", 1.5)]
    [InlineData("2000m", 2)]
    [InlineData("100k", 100_000)]
    [InlineData("5M", 5_000_000)]
    [InlineData("1G", 1_000_000_000)]
    [InlineData("128Mi", 134_217_728)]
    [InlineData("0.5Gi", 536_870_912)]
    [InlineData("1Ti", 1_099_511_627_776)]
    [InlineData("12e6", 12_000_000)]
    [InlineData("1E3", 1000)]
    [InlineData("0", 0)]
    public void Quantities_are_read_as_apimachinery_reads_them(string quantity, double expected)
    {
        var quantities = new Dictionary<string, ResourceQuantity> { [ResourceQuantities.Cpu] = new(quantity) };

        Assert.Equal(expected, ResourceQuantities.Value(quantities, ResourceQuantities.Cpu)!.Value, 9);
        Assert.Null(ResourceQuantities.Value(quantities, ResourceQuantities.Memory));
        Assert.Null(ResourceQuantities.Value(null, ResourceQuantities.Cpu));
    }
}

using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeMonitor.Exporter.Kubernetes;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Exporter.Tests.Kubernetes;

public sealed class PodMetadataMapperTests
{
    private static V1PodList FixtureList() =>
        KubernetesJson.Deserialize<V1PodList>(File.ReadAllText(RepoPaths.Fixture("kubernetes-api", "podlist.json")));

    private static V1Pod FixturePod(string name) => FixtureList().Items.Single(pod => pod.Metadata.Name == name);

    [Theory]
    // namespace, pod, owner kind, owner name, deployment (null: none)
    [InlineData("scraper", "e2e-hpa-6cd8d99884-tggnr", "ReplicaSet", "e2e-hpa-6cd8d99884", "e2e-hpa")]
    [InlineData("scraper", "e2e-deployment-79967c5968-8bnn8", "ReplicaSet", "e2e-deployment-79967c5968", "e2e-deployment")]
    [InlineData("kube-system", "coredns-7d764666f9-qdcxt", "ReplicaSet", "coredns-7d764666f9", "coredns")]
    [InlineData("scraper", "e2e-kube-state-metrics-75b885dc9-97mtr", "ReplicaSet", "e2e-kube-state-metrics-75b885dc9", "e2e-kube-state-metrics")]
    [InlineData("scraper", "e2e-failjob-64h4g", "Job", "e2e-failjob", null)]
    [InlineData("scraper", "e2e-cronjob-29707813-dhlr2", "Job", "e2e-cronjob-29707813", null)]
    [InlineData("scraper", "e2e-statefulset-0", "StatefulSet", "e2e-statefulset", null)]
    [InlineData("kube-system", "kindnet-zkpn8", "DaemonSet", "kindnet", null)]
    [InlineData("kube-system", "kube-scheduler-datagen-1-35", null, null, null)]
    [InlineData("kube-system", "storage-provisioner", null, null, null)]
    public void Fixture_pods_get_their_owner_and_deployment(string ns, string name, string? ownerKind, string? ownerName, string? deployment)
    {
        var pod = FixturePod(name);

        var metadata = PodMetadataMapper.ToMetadata(pod)!;

        Assert.Equal(name, metadata.Name);
        Assert.Equal(ns, metadata.Namespace);
        Assert.Equal(pod.Metadata.Uid, metadata.Uid);
        Assert.Equal(ownerKind, metadata.OwnerKind);
        Assert.Equal(ownerName, metadata.OwnerName);
        Assert.Equal(deployment, metadata.Deployment);
    }

    [Fact]
    public void Every_fixture_container_id_maps_to_its_name_by_the_bare_id()
    {
        // Read the expectation straight from the JSON, not through the client's model.
        var items = JsonNode.Parse(File.ReadAllText(RepoPaths.Fixture("kubernetes-api", "podlist.json")))!["items"]!.AsArray();
        var byName = FixtureList().Items.ToDictionary(pod => pod.Metadata.Name);
        var checkedContainers = 0;

        foreach (var item in items)
        {
            var metadata = PodMetadataMapper.ToMetadata(byName[(string)item!["metadata"]!["name"]!])!;
            foreach (var status in item["status"]!["containerStatuses"]!.AsArray())
            {
                var full = (string)status!["containerID"]!;
                Assert.StartsWith("containerd://", full, StringComparison.Ordinal);
                var bare = full["containerd://".Length..];
                Assert.Equal(64, bare.Length);
                Assert.Equal((string)status["name"]!, metadata.ContainerNamesById[bare]);
                checkedContainers++;
            }
            Assert.Equal(item["status"]!["containerStatuses"]!.AsArray().Count, metadata.ContainerNamesById.Count);
        }
        Assert.Equal(24, items.Count);
        Assert.Equal(24, checkedContainers);
    }

    [Fact]
    public void Static_pod_is_found_by_its_config_hash_uid_and_a_mirror_pod_by_its_annotation()
    {
        var staticPod = FixturePod("etcd-datagen-1-35");
        Assert.Equal("eaf7d48161d81d9c3359e1c008571fd6", PodMetadataMapper.CgroupUid(staticPod));

        // The API server's copy of a static pod has its own uid; the cgroup keeps the config hash.
        staticPod.Metadata.Annotations["kubernetes.io/config.mirror"] = "eaf7d48161d81d9c3359e1c008571fd6";
        staticPod.Metadata.Uid = "2b7e0c1a-8f7d-4a53-9e0e-3c1f5d9b6a21";
        Assert.Equal("eaf7d48161d81d9c3359e1c008571fd6", PodMetadataMapper.CgroupUid(staticPod));
        Assert.Equal("2b7e0c1a-8f7d-4a53-9e0e-3c1f5d9b6a21", PodMetadataMapper.ToMetadata(staticPod)!.Uid);
    }

    [Fact]
    public void Pod_with_owner_fixture_docker_id_and_deployment()
    {
        var pod = KubernetesJson.Deserialize<V1Pod>(File.ReadAllText(RepoPaths.Fixture("kubernetes-api", "pod-with-owner.json")));

        var metadata = PodMetadataMapper.ToMetadata(pod)!;

        Assert.Equal(("nginx-7fb78fb6d8-2w75j", "default"), (metadata.Name, metadata.Namespace));
        Assert.Equal(("ReplicaSet", "nginx-7fb78fb6d8", "nginx"), (metadata.OwnerKind, metadata.OwnerName, metadata.Deployment));
        Assert.Equal("nginx", metadata.ContainerNamesById["90e0abf7a779dd76d36038883312baed57a8351428a1d6340df3cff698f51809"]);
    }

    [Fact]
    public void Name_rule_agrees_with_the_real_owner_of_the_replicaset_fixture()
    {
        // replicaset.json is a ReplicaSet whose own ownerReference names its Deployment: the rule
        // "ReplicaSet name minus -<pod-template-hash>" must give that same name.
        var replicaSet = JsonNode.Parse(File.ReadAllText(RepoPaths.Fixture("kubernetes-api", "replicaset.json")))!;
        var hash = (string)replicaSet["metadata"]!["labels"]!["pod-template-hash"]!;
        var owner = new V1OwnerReference { Kind = "ReplicaSet", Name = (string)replicaSet["metadata"]!["name"]!, Controller = true };

        var deployment = PodMetadataMapper.DeploymentOf(owner, new Dictionary<string, string> { ["pod-template-hash"] = hash });

        Assert.Equal((string)replicaSet["metadata"]!["ownerReferences"]![0]!["name"]!, deployment);
        Assert.Equal("icx-db", deployment);
    }

    [Theory]
    [InlineData("ReplicaSet", "web-5d8f7b9c4", "5d8f7b9c4", "web")]
    [InlineData("ReplicaSet", "my-app-v2-5d8f7b9c4", "5d8f7b9c4", "my-app-v2")]
    [InlineData("ReplicaSet", "web-5d8f7b9c4", null, null)]            // no pod-template-hash label: hand-made ReplicaSet
    [InlineData("ReplicaSet", "web-abc", "5d8f7b9c4", null)]           // name does not end in the hash
    [InlineData("ReplicaSet", "web5d8f7b9c4", "5d8f7b9c4", null)]      // hash not after a '-'
    [InlineData("ReplicaSet", "-5d8f7b9c4", "5d8f7b9c4", null)]        // nothing before the hash
    [InlineData("ReplicaSet", "5d8f7b9c4", "5d8f7b9c4", null)]
    [InlineData("Job", "web-5d8f7b9c4", "5d8f7b9c4", null)]
    [InlineData("StatefulSet", "web", null, null)]
    public void Deployment_rule(string kind, string name, string? hash, string? expected)
    {
        var labels = hash is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["pod-template-hash"] = hash };
        var owner = new V1OwnerReference { Kind = kind, Name = name, Controller = true };

        Assert.Equal(expected, PodMetadataMapper.DeploymentOf(owner, labels));
    }

    [Fact]
    public void Only_the_controller_reference_is_the_owner()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = "p", NamespaceProperty = "ns", Uid = "u1",
                OwnerReferences =
                [
                    new V1OwnerReference { Kind = "ConfigMap", Name = "not-a-controller", Controller = false },
                    new V1OwnerReference { Kind = "StatefulSet", Name = "db", Controller = true },
                ],
            },
        };

        var metadata = PodMetadataMapper.ToMetadata(pod)!;

        Assert.Equal(("StatefulSet", "db"), (metadata.OwnerKind, metadata.OwnerName));
    }

    [Fact]
    public void Init_and_ephemeral_containers_are_mapped_and_containers_without_id_skipped()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", Uid = "u1" },
            Status = new V1PodStatus
            {
                ContainerStatuses =
                [
                    new V1ContainerStatus { Name = "app", ContainerID = "cri-o://" + new string('a', 64) },
                    new V1ContainerStatus { Name = "waiting", ContainerID = null },
                ],
                InitContainerStatuses = [new V1ContainerStatus { Name = "init", ContainerID = "containerd://" + new string('b', 64) }],
                EphemeralContainerStatuses = [new V1ContainerStatus { Name = "debugger", ContainerID = "docker://" + new string('c', 64) }],
            },
        };

        var names = PodMetadataMapper.ToMetadata(pod)!.ContainerNamesById;

        Assert.Equal(3, names.Count);
        Assert.Equal("app", names[new string('a', 64)]);
        Assert.Equal("init", names[new string('b', 64)]);
        Assert.Equal("debugger", names[new string('c', 64)]);
        Assert.Equal("app", names[new string('A', 64)]);   // ids are hex; case does not matter
    }

    [Theory]
    [InlineData("containerd://abc", "abc")]
    [InlineData("cri-o://abc", "abc")]
    [InlineData("docker://abc", "abc")]
    [InlineData("abc", "abc")]
    [InlineData("containerd://", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Bare_container_id(string? full, string? bare) => Assert.Equal(bare, PodMetadataMapper.BareContainerId(full));

    [Fact]
    public void Object_without_name_or_uid_gives_no_metadata()
    {
        Assert.Null(PodMetadataMapper.ToMetadata(new V1Pod { Metadata = new V1ObjectMeta { Name = "p" } }));
        Assert.Null(PodMetadataMapper.ToMetadata(new V1Pod { Metadata = new V1ObjectMeta { Uid = "u" } }));
        Assert.Null(PodMetadataMapper.ToMetadata(new V1Pod()));
    }
}

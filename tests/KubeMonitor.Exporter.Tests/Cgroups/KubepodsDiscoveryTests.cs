using KubeMonitor.Exporter.Cgroups;
using KubeMonitor.Exporter.Parsers;
using static KubeMonitor.Exporter.Tests.Cgroups.CgroupFixtures;

namespace KubeMonitor.Exporter.Tests.Cgroups;

public sealed class KubepodsDiscoveryTests
{
    private const string Uid1 = "0b6e7c1a-2d3f-4e5a-8b9c-0d1e2f3a4b5c";
    private const string Uid2 = "5f4e3d2c-1b0a-4c9d-8e7f-6a5b4c3d2e1f";
    private const string Uid3 = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";
    private const string Id1 = "1111111111111111111111111111111111111111111111111111111111111111";
    private const string Id2 = "2222222222222222222222222222222222222222222222222222222222222222";
    private const string Id3 = "3333333333333333333333333333333333333333333333333333333333333333";
    private const string SandboxId = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";

    private static string Underscored(string uid) => uid.Replace('-', '_');

    [Fact]
    public void Amzn2_fixture_v1_systemd_containerd()
    {
        var pod = Assert.Single(KubepodsDiscovery.Discover(CgroupFixtures.Path(Amzn2Root + "/cpu,cpuacct")));

        Assert.Equal(Amzn2PodUid, pod.Uid);
        Assert.Equal("burstable", pod.QosClass);
        Assert.Equal(Amzn2Pod, pod.RelativePath);
        Assert.Equal(new DiscoveredContainer(Amzn2ContainerId, "containerd", Amzn2Container), Assert.Single(pod.Containers));
    }

    [Fact]
    public void Amzn2_fixture_other_hierarchies_show_the_same_pod()
    {
        // On v1 each controller has its own tree; the same relative path exists in each.
        foreach (var controller in new[] { "memory", "blkio" })
        {
            var pod = Assert.Single(KubepodsDiscovery.Discover(CgroupFixtures.Path(Amzn2Root + "/" + controller)));
            Assert.Equal(Amzn2Container, Assert.Single(pod.Containers).RelativePath);
        }
    }

    [Fact]
    public void Coroot_fixture_v2_systemd_docker()
    {
        var pod = Assert.Single(KubepodsDiscovery.Discover(CgroupFixtures.Path(CorootV2Root)));

        Assert.Equal(CorootV2PodUid, pod.Uid);
        Assert.Equal("besteffort", pod.QosClass);
        Assert.Equal(new DiscoveredContainer(CorootV2ContainerId, "docker", CorootV2Container), Assert.Single(pod.Containers));
    }

    [Fact]
    public void A_tree_without_kubepods_has_no_pods()
    {
        Assert.Empty(KubepodsDiscovery.Discover(CgroupFixtures.Path(CorootV1 + "/cpuacct")));
        Assert.Empty(KubepodsDiscovery.Discover("/nonexistent-kubemonitor-root"));
    }

    [Fact]
    public void Cgroupfs_driver_with_every_qos_class()
    {
        using var tree = new TempCgroupTree();
        tree.CopyFixture(Amzn2Cpu + "/cpuacct.usage", $"kubepods/burstable/pod{Uid1}/{Id1}");
        tree.CopyFixture(Amzn2Cpu + "/cpuacct.usage", $"kubepods/burstable/pod{Uid1}/{SandboxId}");
        tree.CopyFixture(Amzn2Cpu + "/cpuacct.usage", $"kubepods/besteffort/pod{Uid2}/{Id2}");
        tree.CopyFixture(Amzn2Cpu + "/cpuacct.usage", $"kubepods/pod{Uid3}/{Id3}");      // guaranteed: no QoS level
        tree.CgroupDir("kubepods/burstable/not-a-pod");
        tree.CgroupDir($"kubepods/burstable/pod{Uid1}/not-a-container");
        tree.CgroupDir("kubepods/system");

        var pods = KubepodsDiscovery.Discover(tree.Cgroup);

        Assert.Equal([Uid1, Uid2, Uid3], pods.Select(p => p.Uid));
        Assert.Equal(["burstable", "besteffort", "guaranteed"], pods.Select(p => p.QosClass));
        Assert.Equal($"kubepods/pod{Uid3}", pods[2].RelativePath);
        Assert.Equal([Id1, SandboxId], pods[0].Containers.Select(c => c.Id));
        Assert.All(pods.SelectMany(p => p.Containers), c => Assert.Null(c.Runtime));
        Assert.Equal($"kubepods/besteffort/pod{Uid2}/{Id2}", Assert.Single(pods[1].Containers).RelativePath);
    }

    [Fact]
    public void Systemd_crio_without_its_conmon_scopes()
    {
        using var tree = new TempCgroupTree();
        var pod = $"kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{Underscored(Uid1)}.slice";
        tree.CopyFixtureFiles(Amzn2Cpu, $"{pod}/crio-{Id1}.scope");
        tree.CopyFixtureFiles(Amzn2Cpu, $"{pod}/crio-conmon-{Id1}.scope");
        tree.CopyFixtureFiles(Amzn2Cpu, $"{pod}/crio-{SandboxId}.scope");
        tree.CopyFixtureFiles(Amzn2Cpu, $"{pod}/crio-conmon-{SandboxId}.scope");

        var found = Assert.Single(KubepodsDiscovery.Discover(tree.Cgroup));

        Assert.Equal(Uid1, found.Uid);
        Assert.Equal([Id1, SandboxId], found.Containers.Select(c => c.Id));
        Assert.All(found.Containers, c => Assert.Equal("crio", c.Runtime));
    }

    [Fact]
    public void Systemd_guaranteed_pods_sit_directly_under_kubepods_slice()
    {
        using var tree = new TempCgroupTree();
        tree.CgroupDir($"kubepods.slice/kubepods-pod{Underscored(Uid1)}.slice/cri-containerd-{Id1}.scope");
        tree.CgroupDir($"kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{Underscored(Uid2)}.slice/docker-{Id2}.scope");
        tree.CgroupDir("kubepods.slice/kubepods-besteffort.slice/kubepods-burstable-pod" + Underscored(Uid3) + ".slice"); // wrong QoS level
        tree.CgroupDir("kubepods.slice/kubepods-other.slice");
        tree.CgroupDir($"kubepods.slice/kubepods-pod{Underscored(Uid1)}.slice/init.scope");

        var pods = KubepodsDiscovery.Discover(tree.Cgroup);

        Assert.Equal([Uid1, Uid2], pods.Select(p => p.Uid));
        Assert.Equal("guaranteed", pods[0].QosClass);
        Assert.Equal(new DiscoveredContainer(Id1, "containerd", $"kubepods.slice/kubepods-pod{Underscored(Uid1)}.slice/cri-containerd-{Id1}.scope"), Assert.Single(pods[0].Containers));
        Assert.Equal("docker", Assert.Single(pods[1].Containers).Runtime);
    }

    [Fact]
    public void Static_pods_have_a_32_hex_uid_without_dashes()
    {
        using var tree = new TempCgroupTree();
        tree.CgroupDir($"kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0123456789abcdef0123456789abcdef.slice/cri-containerd-{Id1}.scope");
        Assert.Equal("0123456789abcdef0123456789abcdef", Assert.Single(KubepodsDiscovery.Discover(tree.Cgroup)).Uid);
    }

    [Fact]
    public void A_pod_without_containers_yet_is_still_a_pod()
    {
        using var tree = new TempCgroupTree();
        tree.CgroupDir($"kubepods/besteffort/pod{Uid1}");
        Assert.Empty(Assert.Single(KubepodsDiscovery.Discover(tree.Cgroup)).Containers);
    }

    [Theory]
    [InlineData("kubepods-burstable-pod7a96c459_d529_44ae_9f99_90d3798d6426.slice", "burstable", "7a96c459-d529-44ae-9f99-90d3798d6426")]
    [InlineData("kubepods-pod7a96c459_d529_44ae_9f99_90d3798d6426.slice", null, "7a96c459-d529-44ae-9f99-90d3798d6426")]
    public void Systemd_pod_names(string name, string? qos, string uid)
    {
        Assert.True(KubepodsDiscovery.TryParseSystemdPod(name, qos, out var parsed));
        Assert.Equal(uid, parsed);
    }

    [Theory]
    [InlineData("kubepods-burstable-pod7a96c459_d529_44ae_9f99_90d3798d6426", "burstable")]       // no .slice
    [InlineData("kubepods-burstable-pod7a96c459_d529.slice", "burstable")]                         // too short
    [InlineData("kubepods-burstable-pod7A96C459_D529_44AE_9F99_90D3798D6426.slice", "burstable")]  // kubelet writes lowercase
    [InlineData("kubepods-burstable.slice", null)]
    [InlineData("kubepods-pod7a96c459-d529-44ae-9f99-90d3798d6426.slice", null)]                   // dashes are nesting in systemd
    public void Not_systemd_pod_names(string name, string? qos) => Assert.False(KubepodsDiscovery.TryParseSystemdPod(name, qos, out _));

    [Theory]
    [InlineData("cri-containerd-" + Id1 + ".scope", Id1, "containerd")]
    [InlineData("crio-" + Id1 + ".scope", Id1, "crio")]
    [InlineData("docker-" + Id1 + ".scope", Id1, "docker")]
    public void Systemd_container_names(string name, string id, string runtime) =>
        Assert.Equal((id, runtime), KubepodsDiscovery.ParseSystemdContainer(name));

    [Theory]
    [InlineData("crio-conmon-" + Id1 + ".scope")]
    [InlineData("cri-containerd-" + Id1)]
    [InlineData("podman-" + Id1 + ".scope")]
    [InlineData("docker-xyz.scope")]
    [InlineData("init.scope")]
    public void Not_systemd_container_names(string name) => Assert.Null(KubepodsDiscovery.ParseSystemdContainer(name));

    [Theory]
    [InlineData(Id1, Id1, null)]
    [InlineData("crio-" + Id1, Id1, "crio")]
    public void Cgroupfs_container_names(string name, string id, string? runtime) =>
        Assert.Equal((id, runtime), KubepodsDiscovery.ParseCgroupfsContainer(name));

    [Theory]
    [InlineData("crio-conmon-" + Id1)]
    [InlineData("not-a-container")]
    [InlineData("abc")]
    public void Not_cgroupfs_container_names(string name) => Assert.Null(KubepodsDiscovery.ParseCgroupfsContainer(name));

    /// <summary>The same rules applied to the cgroup of real processes (/proc/&lt;pid&gt;/cgroup fixtures).</summary>
    [Theory]
    [InlineData("proc/coroot-cgroup-paths/2000/cgroup", "cpuacct", "8833712d-6e69-4f5c-95f3-aebd020ce2e7", "burstable", "95cbe853416f52d927dec41f1406dd75015ea131244a1ca875a7cd4ebe927ac8", null)]
    [InlineData("proc/coroot-cgroup-paths/300/cgroup", "cpuacct", "6a4ce4a0-ba47-11ea-b2a7-0cc47ac5979e", "burstable", "17db96a24ae1e9dd57143e62b1cb0d2d35e693c65c774c7470e87b0572e07c1a", null)]
    [InlineData("proc/coroot-cgroup-paths/400/cgroup", "v2", CorootV2PodUid, "besteffort", CorootV2ContainerId, "docker")]
    [InlineData("cgroup-v1/amzn2-eks-kubepods/proc/493239/cgroup", "cpuacct", Amzn2PodUid, "burstable", Amzn2ContainerId, "containerd")]
    [InlineData("cgroup-v1/amzn2-eks-kubepods/proc/493239/cgroup", "memory", Amzn2PodUid, "burstable", Amzn2ContainerId, "containerd")]
    public void Kubepods_paths_of_real_processes(string file, string hierarchy, string uid, string qos, string id, string? runtime) =>
        Assert.Equal(new KubepodsCgroup(uid, qos, id, runtime), KubepodsDiscovery.ParseCgroupPath(PathIn(file, hierarchy)));

    [Theory]
    [InlineData("proc/coroot-cgroup-paths/100/cgroup", "cpuacct")]      // system.slice/docker.service
    [InlineData("proc/coroot-cgroup-paths/1000/cgroup", "cpuacct")]     // "/"
    [InlineData("proc/coroot-cgroup-paths/200/cgroup", "cpuacct")]      // plain docker, no pod
    [InlineData("proc/coroot-cgroup-paths/2000/cgroup", "v2")]          // containerd.service itself
    [InlineData("proc/coroot-cgroup-paths/3000/cgroup", "v2")]          // LXC payload
    [InlineData("proc/coroot-cgroup-paths/500/cgroup", "v2")]           // relative path under a cgroup namespace
    [InlineData("proc/coroot-cgroup-paths/550/cgroup", "v2")]
    [InlineData("proc/coroot-cgroup-paths/600/cgroup", "cpuacct")]
    [InlineData("proc/coroot-cgroup-paths/700/cgroup", "v2")]           // podruntime/runtime
    [InlineData("proc/coroot-cgroup-paths/800/cgroup", "v2")]           // docker scope outside kubepods
    [InlineData("proc/coroot-cgroup-paths/900/cgroup", "cpuacct")]
    [InlineData("cgroup-v1/amzn2-eks-kubepods/proc/1/cgroup", "cpuacct")]
    public void Other_paths_of_real_processes_are_no_pod(string file, string hierarchy) =>
        Assert.Null(KubepodsDiscovery.ParseCgroupPath(PathIn(file, hierarchy)));

    [Theory]
    [InlineData("/kubepods/besteffort/pod" + Uid1, Uid1, "besteffort", null, null)]
    [InlineData("/kubepods/pod" + Uid1 + "/" + Id1, Uid1, "guaranteed", Id1, null)]
    [InlineData("/kubepods/burstable/pod" + Uid1 + "/crio-" + Id1, Uid1, "burstable", Id1, "crio")]
    [InlineData("/kubepods.slice/kubepods-pod0b6e7c1a_2d3f_4e5a_8b9c_0d1e2f3a4b5c.slice/cri-containerd-" + Id1 + ".scope", Uid1, "guaranteed", Id1, "containerd")]
    [InlineData("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0b6e7c1a_2d3f_4e5a_8b9c_0d1e2f3a4b5c.slice", Uid1, "burstable", null, null)]
    public void Pod_and_container_paths(string path, string uid, string qos, string? id, string? runtime) =>
        Assert.Equal(new KubepodsCgroup(uid, qos, id, runtime), KubepodsDiscovery.ParseCgroupPath(path));

    [Theory]
    [InlineData("/kubepods")]
    [InlineData("/kubepods/burstable")]
    [InlineData("/kubepods.slice/kubepods-burstable.slice")]
    [InlineData("/kubepods/burstable/pod" + Uid1 + "/crio-conmon-" + Id1)]
    [InlineData("/kubepods/burstable/pod" + Uid1 + "/" + Id1 + "/nested")]
    [InlineData("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0b6e7c1a_2d3f_4e5a_8b9c_0d1e2f3a4b5c.slice/crio-conmon-" + Id1 + ".scope")]
    [InlineData("/system.slice/kubepods/burstable/pod" + Uid1)]
    public void Not_pod_paths(string path) => Assert.Null(KubepodsDiscovery.ParseCgroupPath(path));

    private static string PathIn(string file, string hierarchy) =>
        ProcCgroupParser.Parse(Text(file)).Single(l => hierarchy == "v2" ? l.HierarchyId == 0 : l.Controllers.Contains(hierarchy)).Path;
}

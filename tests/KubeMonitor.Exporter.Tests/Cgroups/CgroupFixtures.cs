using KubeMonitor.TestSupport;

namespace KubeMonitor.Exporter.Tests.Cgroups;

/// <summary>Paths into the shared cgroup fixtures (relative to the fixtures folder, '/'-separated).</summary>
internal static class CgroupFixtures
{
    public const string Amzn2Root = "cgroup-v1/amzn2-eks-kubepods/sys/fs/cgroup";
    public const string Amzn2PodUid = "7a96c459-d529-44ae-9f99-90d3798d6426";
    public const string Amzn2ContainerId = "1d3d308a7d48a27814a68bf33a44acf4441c9c02463ca0bc1cdfdc8c0b4a8496";
    public const string Amzn2Pod = "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7a96c459_d529_44ae_9f99_90d3798d6426.slice";
    public const string Amzn2Container = Amzn2Pod + "/cri-containerd-" + Amzn2ContainerId + ".scope";
    public const string Amzn2Cpu = Amzn2Root + "/cpu,cpuacct/" + Amzn2Container;
    public const string Amzn2Memory = Amzn2Root + "/memory/" + Amzn2Container;
    public const string Amzn2Blkio = Amzn2Root + "/blkio/" + Amzn2Container;

    public const string CorootV1 = "cgroup-v1/coroot-docker";
    public const string CorootV1Docker = "docker/b43d92bf1e5c6f78bb9b7bc6f40721280299855ba692092716e3a1b6c0b86f3f";
    public const string CorootV1Service = "system.slice/docker.service";

    public const string CorootV2Root = "cgroup-v2/coroot-kubepods-besteffort/sys/fs/cgroup";
    public const string CorootV2PodUid = "8712f785-1a3e-41ec-a00b-e2dcc77431cb";
    public const string CorootV2ContainerId = "73051af271105c07e1f493b34856a77e665e3b0b4fc72f76c807dfbffeb881bd";
    public const string CorootV2Pod = "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod8712f785_1a3e_41ec_a00b_e2dcc77431cb.slice";
    public const string CorootV2Container = CorootV2Pod + "/docker-" + CorootV2ContainerId + ".scope";
    public const string CorootV2 = CorootV2Root + "/" + CorootV2Container;

    public const string ElasticSlice = "cgroup-v2/elastic-docker-systemd/sys/fs/cgroup/system.slice";
    public const string ElasticScope = ElasticSlice + "/docker-1c8fa019edd4b9d4b2856f4932c55929c5c118c808ed5faee9a135ca6e84b039.scope";
    public const string ElasticSession = "cgroup-v2/elastic-session-scope/sys/fs/cgroup/user.slice/user-1000.slice/session-520.scope";
    public const string TelegrafV2 = "cgroup-v2/telegraf-flat";

    public static string Path(string relative) => RepoPaths.Fixture(relative.Split('/'));

    public static string Text(string relative) => File.ReadAllText(Path(relative));
}

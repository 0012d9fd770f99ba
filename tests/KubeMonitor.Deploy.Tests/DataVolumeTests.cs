extern alias KubeFull;
using KubeFull::k8s.Models;
using KubeMonitor.Deploy.Tests.Support;

namespace KubeMonitor.Deploy.Tests;

/// <summary>
/// Where the facade keeps its window on disk (issue 14): every rendering with pushes sets
/// Facade__DataDirectory to a mounted volume named data, an emptyDir in the base (a container
/// restart keeps the window) and a claim per replica in overlays/persistent (a new pod keeps it).
/// A facade that answers from Prometheus holds no samples and has neither.
/// </summary>
public sealed class DataVolumeTests
{
    private const string Persistent = "overlays/persistent";

    public static TheoryData<string> PushTargets() => [.. Kustomize.PushTargets];

    [Theory]
    [MemberData(nameof(PushTargets))]
    public async Task The_facade_keeps_its_window_on_the_data_volume(string target)
    {
        var manifests = Manifests.Load(await Kustomize.RenderAsync(target));
        var container = manifests.FacadeContainer;
        var directory = Assert.Single(container.Env, e => e.Name == "Facade__DataDirectory").Value;
        var mount = Assert.Single(container.VolumeMounts, m => m.MountPath == directory);
        Assert.Equal("data", mount.Name);
        Assert.NotEqual(true, mount.ReadOnlyProperty);

        var volumes = manifests.Facade.Spec.Template.Spec.Volumes ?? [];
        var claims = manifests.FacadeStatefulSet?.Spec.VolumeClaimTemplates ?? [];
        if (target == Persistent)
        {
            Assert.DoesNotContain(volumes, v => v.Name == "data");
            var claim = Assert.Single(claims, c => c.Metadata.Name == "data");
            Assert.Equal(["ReadWriteOnce"], claim.Spec.AccessModes);
            Assert.NotNull(claim.Spec.Resources.Requests["storage"]);
        }
        else
        {
            Assert.Empty(claims);
            var volume = Assert.Single(volumes, v => v.Name == "data");
            Assert.NotNull(volume.EmptyDir);
            Assert.NotNull(volume.EmptyDir.SizeLimit);
        }
    }

    public static TheoryData<string> PrometheusSourceTargets() => [.. Kustomize.PrometheusSourceTargets];

    [Theory]
    [MemberData(nameof(PrometheusSourceTargets))]
    public async Task A_facade_without_pushes_has_no_data_folder_and_no_data_volume(string target)
    {
        var manifests = Manifests.Load(await Kustomize.RenderAsync(target));
        var container = manifests.FacadeContainer;
        Assert.DoesNotContain(container.Env, e => e.Name == "Facade__DataDirectory");
        Assert.DoesNotContain(container.VolumeMounts, m => m.Name == "data");
        Assert.DoesNotContain(manifests.Facade.Spec.Template.Spec.Volumes ?? [], v => v.Name == "data");
        // Only the data volume went: the root filesystem is read-only and the runtime still writes to /tmp.
        Assert.Single(container.VolumeMounts, m => m.MountPath == "/tmp");
    }

    [Fact]
    public async Task The_persistent_overlay_makes_the_facade_a_stateful_set_beside_its_headless_service()
    {
        var manifests = Manifests.Load(await Kustomize.RenderAsync(Persistent));
        Assert.DoesNotContain(manifests.All<V1Deployment>(), d => d.Metadata.Name == "kubemonitor-facade");
        var set = manifests.FacadeStatefulSet!;
        Assert.Equal("Parallel", set.Spec.PodManagementPolicy);
        var service = manifests.Single<V1Service>(set.Spec.ServiceName);
        Assert.Equal("None", service.Spec.ClusterIP);
        Assert.Equal("Retain", set.Spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted);
        // The base's pod template otherwise, so every other check of the facade holds for it too.
        var base_ = Manifests.Load(await Kustomize.RenderAsync("base")).Facade.Spec.Template.Spec;
        Assert.Equal(base_.Containers[0].Args, set.Spec.Template.Spec.Containers[0].Args);
        Assert.Equal(base_.Volumes.Where(v => v.Name != "data").Select(v => v.Name), set.Spec.Template.Spec.Volumes.Select(v => v.Name));
    }
}

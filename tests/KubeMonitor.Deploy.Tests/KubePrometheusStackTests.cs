extern alias KubeFull;
using System.Text.RegularExpressions;
using KubeFull::k8s;
using KubeFull::k8s.Models;
using KubeMonitor.Deploy.Tests.Support;

namespace KubeMonitor.Deploy.Tests;

/// <summary>
/// kube-prometheus-stack, installed by default, selects PodMonitors, ServiceMonitors and
/// PrometheusRules by <c>release: &lt;Helm release&gt;</c> (issue 16, 2): every monitoring object
/// carries it, its value is written in one place, and the documented patch changes it.
/// </summary>
public sealed partial class KubePrometheusStackTests
{
    /// <summary>The release of <c>helm install kube-prometheus-stack prometheus-community/kube-prometheus-stack</c>.</summary>
    private const string DefaultRelease = "kube-prometheus-stack";

    public static TheoryData<string> Targets() => [.. Kustomize.Targets];

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Every_monitoring_object_carries_the_release_label(string target)
    {
        var objects = MonitoringObjects(Manifests.Load(await Kustomize.RenderAsync(target)));
        // The overlays built for the operator have all three kinds; the others have none.
        if (target.Contains("prometheus-", StringComparison.Ordinal))
        {
            Assert.Equal(["PodMonitor", "PrometheusRule", "ServiceMonitor"], objects.Select(o => o.Kind).Order(StringComparer.Ordinal));
        }
        Assert.All(objects, o => Assert.True(
            o.Metadata.Labels.TryGetValue("release", out var release) && release == DefaultRelease,
            $"{o.Kind} {o.Metadata.Name} is not labelled release={DefaultRelease}."));
    }

    [Fact]
    public void The_release_name_is_written_in_one_place()
    {
        var files = Directory.EnumerateFiles(Kustomize.Deploy, "*.yaml", SearchOption.AllDirectories)
            .Where(f => File.ReadLines(f).Any(l => ReleaseValue().IsMatch(l)))
            .Select(f => Path.GetRelativePath(Kustomize.Deploy, f).Replace('\\', '/'));
        Assert.Equal(["components/kube-prometheus-stack/kustomization.yaml"], files);
    }

    [Fact]
    public async Task The_documented_patch_labels_every_monitoring_object_with_another_release()
    {
        var kustomization = InstallDoc.MarkedBlock("release-label");
        var release = Assert.Single(PatchValue().Matches(kustomization)).Groups[1].Value;
        Assert.NotEqual(DefaultRelease, release);

        var objects = MonitoringObjects(Manifests.Load(await Kustomize.RenderOperatorsKustomizationAsync(kustomization)));
        Assert.Equal(3, objects.Count);
        Assert.All(objects, o => Assert.Equal(release, o.Metadata.Labels["release"]));
    }

    private static List<IKubernetesObject<V1ObjectMeta>> MonitoringObjects(Manifests manifests) =>
        [.. manifests.All<MonitoringObject>()];

    [GeneratedRegex(@"(value|release):\s*kube-prometheus-stack\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex ReleaseValue();

    [GeneratedRegex(@"^\s*value:\s*(\S+)\s*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex PatchValue();
}

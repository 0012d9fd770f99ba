extern alias KubeFull;
using System.Text.RegularExpressions;
using KubeFull::k8s.Models;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>An image reference as deploy/images.sh writes one: <c>{Prefix}/{Name}:{Tag}</c>.</summary>
internal sealed partial record ImageReference(string Prefix, string Name, string Tag)
{
    public static ImageReference Parse(string reference)
    {
        var slash = reference.LastIndexOf('/');
        var colon = reference.LastIndexOf(':');
        Assert.True(slash > 0 && colon > slash, $"'{reference}' is not <registry>/<name>:<tag>, the only form deploy/images.sh writes.");
        return new ImageReference(reference[..slash], reference[(slash + 1)..colon], reference[(colon + 1)..]);
    }

    /// <summary>
    /// The image of every container and init container of every workload in rendered YAML. Each
    /// <c>image:</c> line of the YAML must be one of them, so a kind not walked here fails instead of
    /// going unchecked.
    /// </summary>
    public static IReadOnlyList<string> InRendering(string yaml)
    {
        var specs = Manifests.Load(yaml).Objects.Select(o => o switch
        {
            V1DaemonSet d => d.Spec.Template.Spec,
            V1Deployment d => d.Spec.Template.Spec,
            V1StatefulSet s => s.Spec.Template.Spec,
            V1ReplicaSet r => r.Spec.Template.Spec,
            V1Job j => j.Spec.Template.Spec,
            V1CronJob c => c.Spec.JobTemplate.Spec.Template.Spec,
            V1Pod p => p.Spec,
            _ => null,
        }).OfType<V1PodSpec>();
        List<string> images = [.. specs.SelectMany(s => (s.InitContainers ?? []).Concat(s.Containers)).Select(c => c.Image)];
        Assert.Equal(
            ImageLine().Matches(yaml).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal),
            images.Order(StringComparer.Ordinal));
        return images;
    }

    [GeneratedRegex(@"^\s*(?:- )?image: (\S+)\s*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex ImageLine();
}

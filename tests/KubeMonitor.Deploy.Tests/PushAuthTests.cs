extern alias KubeFull;
using System.Text;
using KubeFull::k8s;
using KubeFull::k8s.Models;
using KubeMonitor.Deploy.Tests.Support;

namespace KubeMonitor.Deploy.Tests;

/// <summary>
/// Push authentication as rendered (issue 3, 4). Base: a projected ServiceAccount token for the
/// facade's audience, checked by TokenReview. The token-auth overlay with the Secret docs/install.md
/// makes (issue 16, 2): the exporter and the facade read the same Secret, mounted so that the
/// kubelet updates it, and a rotation changes the Secret alone. <see cref="LivePipelineTests"/>
/// runs both programs with these rendered settings and shows the facade requires the credential
/// the exporter sends; the programs' own tests show each re-reads the file when the kubelet swaps it.
/// </summary>
public sealed class PushAuthTests
{
    public const string TestToken = "kubemonitor-test-token-5f0c9a";

    public static TheoryData<string> TokenAuthTargets() => [.. Kustomize.TokenAuthTargets];

    [Fact]
    public async Task Base_gives_the_exporter_a_projected_token_for_the_audience_the_facade_reviews()
    {
        var manifests = Manifests.Load(await Kustomize.RenderAsync("base"));
        var facade = manifests.FacadeContainer;
        Assert.Equal("TokenReview", ManifestTests.EnvOf(facade, "Facade__Auth__Mode"));

        var source = Assert.Single(TokenVolume(manifests.Exporter.Spec.Template.Spec, manifests.ExporterContainer, out var fileName).Projected.Sources);
        Assert.Equal(fileName, source.ServiceAccountToken.Path);
        Assert.Equal(ManifestTests.EnvOf(facade, "Facade__Auth__Audience"), source.ServiceAccountToken.Audience);
        Assert.True(source.ServiceAccountToken.ExpirationSeconds <= 3600);
        var exporterAccount = manifests.Exporter.Spec.Template.Spec.ServiceAccountName;
        Assert.Equal($"system:serviceaccount:kubemonitor:{exporterAccount}", PodEnvironment.Of(manifests.Facade.Metadata.NamespaceProperty, facade).Variables["Facade__Auth__ServiceAccount"]);
        Assert.Empty(manifests.All<V1Secret>());
    }

    [Fact]
    public async Task A_test_token_reaches_the_exporter_and_the_facade_requires_it()
    {
        var rendered = await Kustomize.RenderWithTokenAsync(TestToken);
        var manifests = Manifests.Load(rendered);
        var settings = TokenSettings.From(manifests);

        Assert.Equal(TestToken, settings.Token);
        Assert.Equal("Token", settings.FacadeEnvironment["Facade__Auth__Mode"]);
        Assert.DoesNotContain("Facade__Auth__Audience", settings.FacadeEnvironment.Keys);
        // Token mode never calls the API server: the TokenReview rights are gone with it.
        Assert.DoesNotContain(manifests.All<V1ClusterRole>().SelectMany(r => r.Rules), r => r.Resources.Contains("tokenreviews"));
        Assert.Single(manifests.All<V1Secret>());
    }

    [Theory]
    [MemberData(nameof(TokenAuthTargets))]
    public async Task Token_auth_applies_as_it_is_without_a_secret_of_its_own_or_token_review_rights(string target)
    {
        var manifests = Manifests.Load(await Kustomize.RenderAsync(target));
        // The Secret is made with kubectl (docs/install.md), so applying the overlay never replaces it.
        Assert.Empty(manifests.All<V1Secret>());
        Assert.Equal("Token", ManifestTests.EnvOf(manifests.FacadeContainer, "Facade__Auth__Mode"));
        Assert.DoesNotContain("Facade__Auth__ServiceAccount", manifests.FacadeContainer.Env.Select(e => e.Name));
        Assert.DoesNotContain(manifests.All<V1ClusterRole>().SelectMany(r => r.Rules), r => r.Resources.Contains("tokenreviews"));
        var exporterRules = manifests.RulesOf(manifests.Exporter.Spec.Template.Spec.ServiceAccountName, manifests.Exporter.Metadata.NamespaceProperty);
        Assert.Equal(["nodes", "pods"], exporterRules.SelectMany(r => r.Resources).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Rotating_the_token_changes_the_secret_in_place_and_nothing_else()
    {
        var before = Manifests.Load(await Kustomize.RenderWithTokenAsync(TestToken));
        var after = Manifests.Load(await Kustomize.RenderWithTokenAsync("rotated-" + TestToken));

        // Same Secret name: `kubectl apply` replaces it, and no old one is left behind.
        var (old, rotated) = (Assert.Single(before.All<V1Secret>()), Assert.Single(after.All<V1Secret>()));
        Assert.Equal((old.Metadata.Name, old.Metadata.NamespaceProperty), (rotated.Metadata.Name, rotated.Metadata.NamespaceProperty));
        Assert.NotEqual(TokenSettings.From(before).Token, TokenSettings.From(after).Token);
        // Everything else, pod templates included, is unchanged: no workload restarts.
        static List<string> Rest(Manifests m) => [.. m.Objects.Where(o => o is not V1Secret).Select(o => KubernetesJson.Serialize(o))];
        Assert.Equal(Rest(before), Rest(after));
    }

    [Fact]
    public async Task The_token_is_a_whole_secret_volume_in_both_pods_which_the_kubelet_updates()
    {
        var manifests = Manifests.Load(await Kustomize.RenderWithTokenAsync(TestToken));
        var settings = TokenSettings.From(manifests);
        var pods = new[]
        {
            (manifests.Exporter.Spec.Template.Spec, manifests.ExporterContainer, settings.ExporterTokenFile),
            (manifests.Facade.Spec.Template.Spec, manifests.FacadeContainer, settings.FacadeTokenFile),
        };
        foreach (var (pod, container, file) in pods)
        {
            // A subPath mount is a copy the kubelet never updates.
            var mount = Assert.Single(container.VolumeMounts, m => file.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
            Assert.True(string.IsNullOrEmpty(mount.SubPath), $"{container.Name} mounts its token with subPath {mount.SubPath}.");
            Assert.NotNull(Assert.Single(pod.Volumes, v => v.Name == mount.Name).Secret);
        }
    }

    internal static V1Volume TokenVolume(V1PodSpec pod, V1Container container, out string fileName)
    {
        var args = container.Args.ToList();
        var path = args[args.IndexOf("--push-token-file") + 1];
        var mount = Assert.Single(container.VolumeMounts, m => path.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
        fileName = path[(mount.MountPath.Length + 1)..];
        return Assert.Single(pod.Volumes, v => v.Name == mount.Name);
    }

    /// <summary>
    /// The push credential as the rendered objects hand it out: the Secret's token, the exporter's
    /// --push-token-file and the facade's environment, each checked to come from the same Secret key.
    /// </summary>
    internal sealed record TokenSettings(string Token, string ExporterTokenFile, IReadOnlyDictionary<string, string> FacadeEnvironment, string FacadeTokenFile)
    {
        public static TokenSettings From(Manifests manifests)
        {
            var secret = Assert.Single(manifests.All<V1Secret>());
            var exporterVolume = TokenVolume(manifests.Exporter.Spec.Template.Spec, manifests.ExporterContainer, out var exporterKey);
            Assert.Equal(secret.Metadata.Name, exporterVolume.Secret.SecretName);
            var token = Encoding.UTF8.GetString(secret.Data[exporterKey]).Trim();

            var facade = manifests.FacadeContainer;
            var environment = facade.Env.ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
            var facadeFile = environment["Facade__Auth__TokenFile"];
            var mount = Assert.Single(facade.VolumeMounts, m => facadeFile.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
            var facadeVolume = Assert.Single(manifests.Facade.Spec.Template.Spec.Volumes, v => v.Name == mount.Name);
            Assert.Equal(secret.Metadata.Name, facadeVolume.Secret.SecretName);
            Assert.Equal(exporterKey, facadeFile[(mount.MountPath.Length + 1)..]);

            var exporterArgs = manifests.ExporterContainer.Args.ToList();
            return new TokenSettings(token, exporterArgs[exporterArgs.IndexOf("--push-token-file") + 1], environment, facadeFile);
        }
    }
}

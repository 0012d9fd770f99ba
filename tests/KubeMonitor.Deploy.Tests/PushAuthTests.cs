extern alias KubeFull;
using System.Text;
using KubeFull::k8s.Models;
using KubeMonitor.Deploy.Tests.Support;

namespace KubeMonitor.Deploy.Tests;

/// <summary>
/// Push authentication as rendered (issue 3, 4). Base: a projected ServiceAccount token for the
/// facade's audience, checked by TokenReview. With the token-auth component and a test token: the
/// exporter and the facade read the same Secret. <see cref="LivePipelineTests"/> runs both programs
/// with these rendered settings and shows the facade requires the credential the exporter sends.
/// </summary>
public sealed class PushAuthTests
{
    public const string TestToken = "kubemonitor-test-token-5f0c9a";

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

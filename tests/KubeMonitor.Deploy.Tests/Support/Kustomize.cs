using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary><c>kubectl kustomize</c> (offline) over the repository's deploy/ tree.</summary>
internal static class Kustomize
{
    public static string Deploy => Path.Combine(RepoPaths.Root, "deploy");

    /// <summary>The base and every overlay, relative to deploy/.</summary>
    public static IReadOnlyList<string> Targets { get; } =
    [
        "base",
        .. Directory.GetDirectories(Path.Combine(Deploy, "overlays")).Select(d => Path.Combine("overlays", Path.GetFileName(d))).Order(StringComparer.Ordinal),
    ];

    /// <summary>
    /// The renderings whose facade answers from a Prometheus backend (docs/api.md section 8): no push
    /// path at all. <c>PrometheusSourceTests</c> checks every target is in the list it belongs to.
    /// </summary>
    public static IReadOnlyList<string> PrometheusSourceTargets { get; } = [Path.Combine("overlays", "prometheus-source")];

    /// <summary>The renderings whose facade holds the samples the exporters push to it.</summary>
    public static IReadOnlyList<string> PushTargets { get; } = [.. Targets.Except(PrometheusSourceTargets)];

    /// <summary>The renderings whose pushes carry a shared token from a Secret (<c>PushAuthTests</c>).</summary>
    public static IReadOnlyList<string> TokenAuthTargets { get; } = [Path.Combine("overlays", "token-auth")];

    /// <summary>The renderings whose pushes carry a projected token the facade checks by TokenReview.</summary>
    public static IReadOnlyList<string> TokenReviewTargets { get; } = [.. PushTargets.Except(TokenAuthTargets)];

    /// <summary>The renderings whose facade serves metrics.k8s.io behind an APIService (<c>MetricsApiManifestTests</c>).</summary>
    public static IReadOnlyList<string> MetricsApiTargets { get; } = [Path.Combine("overlays", "metrics-api")];

    public static Task<string> RenderAsync(string target) =>
        Tool.RunOkAsync("kubectl", ["kustomize", Path.Combine(Deploy, target)]);

    /// <summary>
    /// The token-auth overlay with the Secret docs/install.md has an operator make: its
    /// <c>kubectl create secret</c> command, run as written up to the pipe, with the token
    /// <paramref name="token"/> where the command takes a random one from openssl.
    /// </summary>
    public static async Task<string> RenderWithTokenAsync(string token)
    {
        var command = Assert.Single(InstallDoc.MarkedBlock("push-token").Replace("\\\n", " ", StringComparison.Ordinal).Split('\n'),
            line => line.Contains("create secret", StringComparison.Ordinal));
        var create = command[..command.IndexOf('|', StringComparison.Ordinal)];
        var secret = await Tool.RunOkAsync("bash", ["-c", $"token=$1; openssl() {{ printf %s \"$token\"; }}; {create}", "bash", token]);
        return await RenderAsync(TokenAuthTargets[0]) + "---\n" + secret;
    }

    /// <summary>
    /// A rendering moved to another namespace the way an operator moves it: a kustomization of
    /// their own with <c>namespace:</c> and the target as its one resource.
    /// A metrics API rendering is moved with the kustomization docs/install.md shows for it, which
    /// keeps its kube-system RoleBinding where the Role it binds is.
    /// </summary>
    public static Task<string> RenderInNamespaceAsync(string target, string @namespace) =>
        MetricsApiTargets.Contains(target)
            ? RenderOperatorsKustomizationAsync(MetricsApiInNamespace(target, @namespace))
            : RenderBesideAsync(toDeploy => $"""
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            namespace: {@namespace}
            resources:
              - {Path.Combine(toDeploy, target)}
            """);

    /// <summary>docs/install.md's kustomization that moves the metrics-api overlay, for this target and namespace.</summary>
    private static string MetricsApiInNamespace(string target, string @namespace)
    {
        var example = InstallDoc.MarkedBlock("metrics-api-namespace");
        Assert.Contains("namespace: monitoring-x\n", example, StringComparison.Ordinal);
        Assert.Contains("../kubemonitor/deploy/overlays/metrics-api\n", example, StringComparison.Ordinal);
        return example.Replace("namespace: monitoring-x\n", $"namespace: {@namespace}\n", StringComparison.Ordinal)
            .Replace("../kubemonitor/deploy/overlays/metrics-api\n", $"../kubemonitor/deploy/{target.Replace('\\', '/')}\n", StringComparison.Ordinal);
    }

    /// <summary>
    /// An operator's kustomization as docs/install.md writes it, in a folder beside the repository
    /// checked out as <c>kubemonitor</c>: its <c>../kubemonitor/deploy/</c> is this repository's deploy/.
    /// </summary>
    public static Task<string> RenderOperatorsKustomizationAsync(string kustomization) =>
        RenderBesideAsync(toDeploy => kustomization.Replace("../kubemonitor/deploy/", toDeploy + "/", StringComparison.Ordinal));

    /// <summary>Renders a kustomization written in a temp folder, given the relative path from there to deploy/.</summary>
    private static async Task<string> RenderBesideAsync(Func<string, string> kustomization)
    {
        // kustomize takes relative paths only; the folder sits in a temp folder of the repo's filesystem.
        var dir = Directory.CreateTempSubdirectory("kubemonitor-overlay-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "kustomization.yaml"), kustomization(Path.GetRelativePath(dir, Deploy)));
            return await Tool.RunOkAsync("kubectl", ["kustomize", dir]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

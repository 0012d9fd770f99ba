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

    public static Task<string> RenderAsync(string target) =>
        Tool.RunOkAsync("kubectl", ["kustomize", Path.Combine(Deploy, target)]);

    /// <summary>
    /// The base with the token-auth component and a Secret holding <paramref name="token"/>, exactly
    /// as docs/install.md tells an operator to write it (a kustomization of their own beside the repo).
    /// </summary>
    public static Task<string> RenderWithTokenAsync(string token) =>
        RenderBesideAsync(toDeploy => $"""
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
              - {Path.Combine(toDeploy, "base")}
            components:
              - {Path.Combine(toDeploy, "components", "token-auth")}
            secretGenerator:
              - name: kubemonitor-push-token
                namespace: kubemonitor
                files:
                  - token=push-token
            """, ("push-token", token + "\n"));

    /// <summary>
    /// A rendering moved to another namespace the way an operator moves it: a kustomization of
    /// their own with <c>namespace:</c> and the target as its one resource.
    /// </summary>
    public static Task<string> RenderInNamespaceAsync(string target, string @namespace) =>
        RenderBesideAsync(toDeploy => $"""
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            namespace: {@namespace}
            resources:
              - {Path.Combine(toDeploy, target)}
            """);

    /// <summary>
    /// An operator's kustomization as docs/install.md writes it, in a folder beside the repository
    /// checked out as <c>kubemonitor</c>: its <c>../kubemonitor/deploy/</c> is this repository's deploy/.
    /// </summary>
    public static Task<string> RenderOperatorsKustomizationAsync(string kustomization) =>
        RenderBesideAsync(toDeploy => kustomization.Replace("../kubemonitor/deploy/", toDeploy + "/", StringComparison.Ordinal));

    /// <summary>Renders a kustomization written in a temp folder, given the relative path from there to deploy/.</summary>
    private static async Task<string> RenderBesideAsync(Func<string, string> kustomization, params (string Name, string Text)[] files)
    {
        // kustomize takes relative paths only; the folder sits in a temp folder of the repo's filesystem.
        var dir = Directory.CreateTempSubdirectory("kubemonitor-overlay-").FullName;
        try
        {
            foreach (var (name, text) in files)
            {
                await File.WriteAllTextAsync(Path.Combine(dir, name), text);
            }
            await File.WriteAllTextAsync(Path.Combine(dir, "kustomization.yaml"), kustomization(Path.GetRelativePath(dir, Deploy)));
            return await Tool.RunOkAsync("kubectl", ["kustomize", dir]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

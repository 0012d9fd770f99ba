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

    public static Task<string> RenderAsync(string target) =>
        Tool.RunOkAsync("kubectl", ["kustomize", Path.Combine(Deploy, target)]);

    /// <summary>
    /// The base with the token-auth component and a Secret holding <paramref name="token"/>, exactly
    /// as docs/install.md tells an operator to write it (a kustomization of their own beside the repo).
    /// </summary>
    public static async Task<string> RenderWithTokenAsync(string token)
    {
        // kustomize takes relative paths only; the overlay sits in a temp folder of the repo's filesystem.
        var dir = Directory.CreateTempSubdirectory("kubemonitor-token-overlay-").FullName;
        try
        {
            var toBase = Path.GetRelativePath(dir, Path.Combine(Deploy, "base"));
            var toComponent = Path.GetRelativePath(dir, Path.Combine(Deploy, "components", "token-auth"));
            await File.WriteAllTextAsync(Path.Combine(dir, "push-token"), token + "\n");
            await File.WriteAllTextAsync(Path.Combine(dir, "kustomization.yaml"), $"""
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - {toBase}
                components:
                  - {toComponent}
                secretGenerator:
                  - name: kubemonitor-push-token
                    namespace: kubemonitor
                    files:
                      - token=push-token
                """);
            return await Tool.RunOkAsync("kubectl", ["kustomize", dir]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

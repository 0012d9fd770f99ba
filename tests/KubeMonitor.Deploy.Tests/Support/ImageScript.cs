using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>deploy/images.sh, which builds and tags both images (docs/install.md, "Images").</summary>
internal static class ImageScript
{
    public static string FilePath => Path.Combine(RepoPaths.Root, "deploy", "images.sh");

    /// <summary>The image references it builds with these arguments, as its --print-images prints them.</summary>
    public static async Task<IReadOnlyList<string>> ImagesAsync(params string[] arguments) =>
        [.. (await Tool.RunOkAsync("bash", [FilePath, .. arguments, "--print-images"])).Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>Runs it with <paramref name="tools"/> first on PATH and nothing else of this process's environment.</summary>
    public static Task<Tool.Result> RunAsync(FakeTools tools, params string[] arguments) =>
        Tool.RunAsync("env", ["-i", .. tools.Environment(), "bash", FilePath, .. arguments]);

    /// <summary>Runs shell text (e.g. what --dry-run printed) the same way.</summary>
    public static Task<Tool.Result> RunShellAsync(FakeTools tools, string text) =>
        Tool.RunAsync("env", ["-i", .. tools.Environment(), "bash", "-euo", "pipefail", "-c", text]);
}

using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>
/// What exporter/Dockerfile and facade/Dockerfile build, done here without a Docker engine: the
/// build stage's COPY instructions fill a fresh folder from the repository (as the build context,
/// minus .dockerignore's bin/ and obj/) and its `dotnet publish` runs there unchanged but for the
/// output folder and $TARGETARCH (this host's). Once per test run: the NativeAOT publish takes minutes.
/// </summary>
internal static class PublishedImages
{
    private static readonly Lazy<Task<Published>> Once = new(PublishBothAsync);

    public sealed record Published(string ExporterDir, string FacadeDir, Dockerfile Exporter, Dockerfile Facade);

    public static Task<Published> GetAsync() => Once.Value;

    public static string DockerfileOf(string program) => Path.Combine(RepoPaths.Root, program, "Dockerfile");

    private static async Task<Published> PublishBothAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "kubemonitor-images-" + Environment.ProcessId);
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        var exporter = Dockerfile.Read(DockerfileOf("exporter"));
        var facade = Dockerfile.Read(DockerfileOf("facade"));
        // One at a time: two publishes at once on a small shared machine only slow each other.
        var exporterDir = await PublishAsync(exporter, Path.Combine(root, "exporter"));
        var facadeDir = await PublishAsync(facade, Path.Combine(root, "facade"));
        return new Published(exporterDir, facadeDir, exporter, facade);
    }

    private static async Task<string> PublishAsync(Dockerfile dockerfile, string folder)
    {
        var context = Path.Combine(folder, "src");
        var output = Path.Combine(folder, "app");
        foreach (var (sources, destination) in dockerfile.ContextCopies)
        {
            Assert.Equal("/src", dockerfile.BuildWorkdir);
            foreach (var source in sources)
            {
                var from = Path.Combine(RepoPaths.Root, source);
                var to = Path.Combine(context, destination == "./" ? "" : destination);
                if (Directory.Exists(from)) CopyTree(from, source.EndsWith('/') ? to : Path.Combine(to, Path.GetFileName(from)));
                else
                {
                    Directory.CreateDirectory(to);
                    File.Copy(from, Path.Combine(to, Path.GetFileName(from)));
                }
            }
        }
        var arguments = dockerfile.PublishCommand.Skip(1)
            .Select(a => a == dockerfile.PublishOutput ? output : Dockerfile.TargetArch().Replace(a, HostArch))
            .ToList();
        await Tool.RunOkAsync("dotnet", arguments, context, TimeSpan.FromMinutes(15));
        return output;
    }

    /// <summary>Docker's TARGETARCH naming (amd64, arm64), which `dotnet publish -a` accepts.</summary>
    private static string HostArch => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        var other => throw new PlatformNotSupportedException(other.ToString()),
    };

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Any(p => p is "bin" or "obj")) continue; // .dockerignore
            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

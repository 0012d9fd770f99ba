using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>
/// What exporter/Dockerfile and facade/Dockerfile build, done here without a Docker engine: the
/// build stage's COPY instructions fill a fresh folder from the repository (as the build context,
/// minus .dockerignore's bin/ and obj/) and its `dotnet publish` runs there unchanged but for the
/// output folder and $TARGETARCH (this host's). Once per test run, and reused while the context is
/// unchanged (see <see cref="PublishAsync"/>): the NativeAOT publish takes minutes.
/// </summary>
internal static class PublishedImages
{
    private static readonly Lazy<Task<Published>> Once = new(PublishBothAsync);

    public sealed record Published(string ExporterDir, string FacadeDir, Dockerfile Exporter, Dockerfile Facade);

    public static Task<Published> GetAsync() => Once.Value;

    public static string DockerfileOf(string program) => Path.Combine(RepoPaths.Root, program, "Dockerfile");

    private static async Task<Published> PublishBothAsync()
    {
        var exporter = Dockerfile.Read(DockerfileOf("exporter"));
        var facade = Dockerfile.Read(DockerfileOf("facade"));
        // One at a time: two publishes at once on a small shared machine only slow each other.
        var exporterDir = await PublishAsync("exporter", exporter);
        var facadeDir = await PublishAsync("facade", facade);
        return new Published(exporterDir, facadeDir, exporter, facade);
    }

    /// <summary>
    /// The publish output for this build context. Like Docker's layer cache, an output is reused
    /// when the context (every file the COPY instructions take) and the command are byte for byte
    /// the same as when it was made: any change to the sources publishes again.
    /// </summary>
    private static async Task<string> PublishAsync(string program, Dockerfile dockerfile)
    {
        var staging = Directory.CreateTempSubdirectory($"kubemonitor-image-{program}-").FullName;
        try
        {
            var context = Path.Combine(staging, "src");
            CopyContext(dockerfile, context);
            var arguments = dockerfile.PublishCommand.Skip(1)
                .Select(a => Dockerfile.TargetArch().Replace(a, HostArch)).ToList();
            var output = Path.Combine(Path.GetTempPath(), $"kubemonitor-image-{program}-{ContextHash(context, arguments)}");
            if (File.Exists(Path.Combine(output, ".complete")))
            {
                RemoveOlderOutputs(program, output);
                return output;
            }

            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
            arguments = [.. arguments.Select(a => a == dockerfile.PublishOutput ? output : a)];
            await Tool.RunOkAsync("dotnet", arguments, context, TimeSpan.FromMinutes(20));
            await File.WriteAllTextAsync(Path.Combine(output, ".complete"), string.Join(' ', arguments));
            RemoveOlderOutputs(program, output);
            return output;
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>
    /// The cache keeps one publish per program, the newest: each change of the sources left
    /// another ~115 MB in the temp folder of a developer's machine. Only finished outputs go
    /// (a staging folder of a run beside this one has no <c>.complete</c>).
    /// </summary>
    private static void RemoveOlderOutputs(string program, string keep)
    {
        foreach (var older in Directory.EnumerateDirectories(Path.GetTempPath(), $"kubemonitor-image-{program}-*"))
        {
            if (older == keep || !File.Exists(Path.Combine(older, ".complete"))) continue;
            try
            {
                Directory.Delete(older, recursive: true);
            }
            catch (IOException)
            {
                // Another run is reading it; the next publish removes it.
            }
        }
    }

    private static void CopyContext(Dockerfile dockerfile, string context)
    {
        Assert.Equal("/src", dockerfile.BuildWorkdir);
        foreach (var (sources, destination) in dockerfile.ContextCopies)
        {
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
    }

    private static string ContextHash(string context, IEnumerable<string> arguments)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(string.Join('\0', arguments)));
        foreach (var file in Directory.EnumerateFiles(context, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(context, file) + "\0"));
            hash.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
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
            if (parts.Any(p => p is "bin" or "obj" or "node_modules" or "wwwroot")) continue; // .dockerignore
            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

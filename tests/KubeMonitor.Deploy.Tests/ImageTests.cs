extern alias KubeFull;
using System.Text.Json.Nodes;
using KubeFull::k8s.Models;
using KubeMonitor.Deploy.Tests.Support;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests;

/// <summary>
/// The container images (issue 3): no Docker engine here, so the Dockerfiles' own `dotnet publish`
/// runs (see <see cref="PublishedImages"/>) and the final stage is checked against its output and
/// against the manifests: entrypoint, port and user.
/// </summary>
[Collection(RealLoad.Name)]
public sealed class ImageTests
{
    [Fact]
    public async Task Exporter_image_is_the_nativeaot_binary_on_the_daemonsets_port_and_user()
    {
        var published = await PublishedImages.GetAsync();
        var dockerfile = published.Exporter;
        var manifests = Manifests.Load(await Kustomize.RenderAsync("base"));
        var container = manifests.ExporterContainer;

        // The entrypoint is a native executable the final stage copies from the publish output.
        var entrypoint = Assert.Single(dockerfile.Entrypoint);
        var publishedPath = dockerfile.PublishedPathOf(entrypoint);
        Assert.NotNull(publishedPath);
        var binary = Path.Combine(published.ExporterDir, publishedPath);
        var head = new byte[4];
        await using (var file = File.OpenRead(binary)) await file.ReadExactlyAsync(head);
        Assert.Equal("\u007fELF"u8.ToArray(), head);
        Assert.False(File.Exists(Path.Combine(published.ExporterDir, "kubemonitor-exporter.dll")), "Not NativeAOT: the publish produced an IL assembly.");
        // It runs (runtime-deps has no .NET runtime: only a native binary can) and takes the manifest's args.
        var help = await Tool.RunOkAsync(binary, ["--help"]);
        foreach (var option in container.Args.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
        {
            Assert.Contains(option, help, StringComparison.Ordinal);
        }
        Assert.Null(container.Command);

        Assert.Equal(dockerfile.Exposed, container.Ports.Select(p => p.ContainerPort));
        Assert.Equal(dockerfile.Uid, manifests.Exporter.Spec.Template.Spec.SecurityContext.RunAsUser);
        Assert.Equal(dockerfile.Gid, manifests.Exporter.Spec.Template.Spec.SecurityContext.RunAsGroup);
        Assert.StartsWith("kubemonitor/exporter:", container.Image, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Facade_image_runs_the_published_assembly_on_the_deployments_port_and_user()
    {
        var published = await PublishedImages.GetAsync();
        var dockerfile = published.Facade;
        var manifests = Manifests.Load(await Kustomize.RenderAsync("base"));
        var container = manifests.FacadeContainer;

        Assert.Equal("dotnet", dockerfile.Entrypoint[0]);
        var assembly = dockerfile.PublishedPathOf(Assert.Single(dockerfile.Entrypoint.Skip(1)));
        Assert.NotNull(assembly);
        Assert.True(File.Exists(Path.Combine(published.FacadeDir, assembly)), $"{assembly} is not in the publish output.");
        // The aspnet runtime image provides exactly the shared frameworks the assembly asks for.
        var runtimeConfig = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(published.FacadeDir, Path.ChangeExtension(assembly, ".runtimeconfig.json"))))!;
        var frameworks = runtimeConfig["runtimeOptions"]!["frameworks"]!.AsArray().Select(f => (string)f!["name"]!).Order(StringComparer.Ordinal);
        Assert.Equal(["Microsoft.AspNetCore.App", "Microsoft.NETCore.App"], frameworks);

        // The page at / was built in the image from facade/web (the context has no wwwroot/), uPlot bundled in.
        foreach (var file in new[] { "index.html", "app.js", "app.css", "licenses/uplot.txt" })
        {
            Assert.True(File.Exists(Path.Combine(published.FacadeDir, "wwwroot", file)), $"wwwroot/{file} is not in the publish output.");
        }
        Assert.Contains("uPlot", await File.ReadAllTextAsync(Path.Combine(published.FacadeDir, "wwwroot", "app.js")), StringComparison.Ordinal);

        // The image's port is the API port; the Deployment adds the push port beside it (--urls).
        var port = Assert.Single(dockerfile.Exposed);
        var (http, _) = ManifestTests.FacadePorts(manifests);
        Assert.Equal(port, http.ContainerPort);
        Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), dockerfile.Environment["ASPNETCORE_HTTP_PORTS"]);
        Assert.Equal(dockerfile.Uid, manifests.Facade.Spec.Template.Spec.SecurityContext.RunAsUser);
        Assert.Equal(dockerfile.Gid, manifests.Facade.Spec.Template.Spec.SecurityContext.RunAsGroup);
        Assert.Null(container.Command);
        Assert.StartsWith("kubemonitor/facade:", container.Image, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_context_leaves_out_host_build_outputs()
    {
        var ignored = File.ReadAllLines(Path.Combine(RepoPaths.Root, ".dockerignore"));
        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
        // The page's packages and bundle are made in the image by npm ci and its build.
        Assert.Contains("**/node_modules/", ignored);
        Assert.Contains("facade/wwwroot/", ignored);
    }
}

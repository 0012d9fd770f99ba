using KubeMonitor.Deploy.Tests.Support;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests;

/// <summary>
/// deploy/images.sh and the multi-arch Dockerfiles (issue 16, 1): every rendering names images the
/// script builds, the docs build the images they apply, and, with no Docker engine here, the
/// script runs against stand-in docker and podman that record what they are asked to do.
/// </summary>
public sealed class ImageScriptTests
{
    private const string Registry = "registry.example:5000/team/kubemonitor";
    private const string Tag = "1.2.3";
    private static readonly string[] BothPlatforms = ["linux/amd64", "linux/arm64"];

    public static TheoryData<string> Targets() => [.. Kustomize.Targets];

    [Fact]
    public async Task Base_names_exactly_the_images_the_script_builds_by_default()
    {
        var rendered = ImageReference.InRendering(await Kustomize.RenderAsync("base"));
        Assert.Equal(Sorted(await ImageScript.ImagesAsync()), Sorted(rendered));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Every_image_of_a_rendering_is_one_the_script_builds_with_one_registry_and_tag(string target)
    {
        var rendered = Sorted(ImageReference.InRendering(await Kustomize.RenderAsync(target)));
        Assert.Equal(Sorted(await ImagesOfOneBuildAsync(rendered)), rendered);
    }

    [Fact]
    public async Task Every_build_in_the_docs_makes_the_images_of_a_rendering_the_docs_apply()
    {
        // What the docs apply: the base, every overlay, and the kustomizations of the Images section.
        var renderings = new List<List<string>>();
        foreach (var target in Kustomize.Targets)
        {
            renderings.Add(Sorted(ImageReference.InRendering(await Kustomize.RenderAsync(target))));
        }
        var examples = InstallDoc.YamlBlocks(InstallDoc.Section("## Images")).Where(y => y.Contains("images:", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(examples);
        foreach (var example in examples)
        {
            renderings.Add(Sorted(ImageReference.InRendering(await Kustomize.RenderOperatorsKustomizationAsync(example))));
        }

        var builds = InstallDoc.CommandLines(InstallDoc.Text, "deploy/images.sh")
            .Where(l => !l.Contains("--dry-run", StringComparison.Ordinal) && !l.Contains("--print-images", StringComparison.Ordinal)).ToList();
        Assert.Contains(builds, b => b.Contains("--push", StringComparison.Ordinal));
        Assert.Contains(builds, b => b.Contains("--load", StringComparison.Ordinal));
        foreach (var build in builds)
        {
            var images = Sorted(await ImageScript.ImagesAsync(RegistryAndTag(build)));
            Assert.True(renderings.Any(r => r.SequenceEqual(images)),
                $"docs/install.md builds {string.Join(", ", images)} ({build}), which no rendering the docs apply names.");
        }
    }

    [Fact]
    public async Task The_documented_kustomize_edit_sets_both_base_images_to_the_documented_push()
    {
        var section = InstallDoc.Section("## Images");
        var push = Assert.Single(InstallDoc.CommandLines(section, "deploy/images.sh"),
            l => l.Contains("--push", StringComparison.Ordinal) && !l.Contains("--dry-run", StringComparison.Ordinal));
        var edit = Assert.Single(InstallDoc.CommandLines(section, "kustomize"), l => l.StartsWith("kustomize edit set image ", StringComparison.Ordinal));
        var pairs = edit["kustomize edit set image ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).ToList();

        var baseNames = ImageReference.InRendering(await Kustomize.RenderAsync("base")).Select(r => r.Split(':')[0]);
        Assert.Equal(Sorted(baseNames), Sorted(pairs.Select(p => p[0])));
        Assert.Equal(Sorted(await ImageScript.ImagesAsync(RegistryAndTag(push))), Sorted(pairs.Select(p => p[1])));
    }

    [Theory]
    [InlineData("docker", "--push")]
    [InlineData("docker", "--load")]
    [InlineData("docker", "")]
    [InlineData("podman", "--push")]
    [InlineData("podman", "--load")]
    [InlineData("podman", "")]
    public async Task Dry_run_prints_exactly_the_commands_it_runs_and_runs_none(string tool, string mode)
    {
        using var tools = new FakeTools(["docker", "podman"], "buildx inspect");
        string[] arguments = ["--tool", tool, "--registry", Registry, "--tag", Tag, .. mode.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        var run = await ImageScript.RunAsync(tools, arguments);
        Assert.True(run.ExitCode == 0, run.All);
        // The real run first checks that buildx is there; the printed commands are the rest.
        var ran = Lines(tools.Calls().Where(c => c is not ["docker", "buildx", "version"]));
        Assert.NotEmpty(ran);

        tools.ClearCalls();
        var dryRun = await ImageScript.RunAsync(tools, [.. arguments, "--dry-run"]);
        Assert.True(dryRun.ExitCode == 0, dryRun.All);
        Assert.Empty(tools.Calls());
        var replay = await ImageScript.RunShellAsync(tools, dryRun.Output);
        Assert.True(replay.ExitCode == 0, replay.All);
        Assert.Equal(ran, Lines(tools.Calls()));
    }

    [Fact]
    public async Task Docker_pushes_every_Dockerfile_for_amd64_and_arm64_as_the_printed_images_through_a_multi_platform_builder()
    {
        using var tools = new FakeTools(["docker"], "buildx inspect");
        var run = await ImageScript.RunAsync(tools, "--registry", Registry, "--tag", Tag, "--push");
        Assert.True(run.ExitCode == 0, run.All);
        var calls = tools.Calls();

        // A docker-container builder, created when missing: the engine's own builds one platform.
        var create = Assert.Single(calls, c => c is ["docker", "buildx", "create", ..]);
        var builder = Options(create.Skip(3))["--name"];
        Assert.Equal("docker-container", Options(create.Skip(3))["--driver"]);

        var builds = calls.Where(c => c is ["docker", "buildx", "build", ..]).Select(c => c.Skip(3).ToList()).ToList();
        Assert.Equal(Dockerfiles(), Sorted(builds.Select(b => Options(b)["--file"])));
        Assert.Equal(Sorted(await ImageScript.ImagesAsync("--registry", Registry, "--tag", Tag)), Sorted(builds.Select(b => Options(b)["--tag"])));
        foreach (var build in builds)
        {
            var options = Options(build);
            Assert.Equal(builder, options["--builder"]);
            Assert.Equal(BothPlatforms, Sorted(options["--platform"].Split(',')));
            Assert.Equal(ProgramOf(options["--file"]), ImageReference.Parse(options["--tag"]).Name);
            Assert.Contains("--push", build);
            Assert.Equal(RepoPaths.Root, build[^1]);
        }
    }

    [Fact]
    public async Task Docker_load_builds_this_machines_platform_into_the_engine_without_a_builder_of_its_own()
    {
        using var tools = new FakeTools(["docker"], "buildx inspect");
        var run = await ImageScript.RunAsync(tools, "--tag", "dev", "--load");
        Assert.True(run.ExitCode == 0, run.All);

        var calls = tools.Calls().Where(c => c is not ["docker", "buildx", "version"]).ToList();
        Assert.All(calls, c => Assert.Equal(["docker", "buildx", "build"], c.Take(3)));
        Assert.Equal(Dockerfiles(), Sorted(calls.Select(c => Options(c.Skip(3))["--file"])));
        Assert.Equal(Sorted(await ImageScript.ImagesAsync("--tag", "dev")), Sorted(calls.Select(c => Options(c.Skip(3))["--tag"])));
        Assert.All(calls, c =>
        {
            Assert.Contains("--load", c);
            Assert.DoesNotContain("--platform", c);
            Assert.DoesNotContain("--builder", c);
        });
    }

    [Fact]
    public async Task Podman_pushes_a_fresh_manifest_list_of_amd64_and_arm64_per_Dockerfile()
    {
        using var tools = new FakeTools(["podman"]);
        var run = await ImageScript.RunAsync(tools, "--tool", "podman", "--registry", Registry, "--tag", Tag, "--push");
        Assert.True(run.ExitCode == 0, run.All);
        var calls = Lines(tools.Calls());

        var images = await ImageScript.ImagesAsync("--registry", Registry, "--tag", Tag);
        Assert.Equal(Dockerfiles().Count, images.Count);
        var expected = new List<string>();
        foreach (var image in images)
        {
            var dockerfile = Assert.Single(Dockerfiles(), f => ProgramOf(f) == ImageReference.Parse(image).Name);
            // The list already there (the stand-in says it exists) is removed before the build adds to it.
            expected.AddRange([
                $"podman manifest exists {image}",
                $"podman manifest rm {image}",
                $"podman build --platform {string.Join(',', BothPlatforms)} --file {dockerfile} --manifest {image} {RepoPaths.Root}",
                $"podman manifest push --all {image} docker://{image}",
            ]);
        }
        Assert.Equal(expected, calls);
    }

    [Theory]
    [InlineData("--push")] // to kubemonitor/, which no one here can push to
    [InlineData("--load --platform linux/amd64,linux/arm64")]
    [InlineData("--platform linux/s390x")]
    [InlineData("--registry Example.com/Team")]
    [InlineData("--registry example.com/team/")]
    [InlineData("--tag -x")]
    [InlineData("--push --load --registry example.com/team")]
    [InlineData("--tool nerdctl")]
    public async Task Refuses_what_it_cannot_build_or_push_and_runs_nothing(string arguments)
    {
        using var tools = new FakeTools(["docker", "podman"]);
        var run = await ImageScript.RunAsync(tools, arguments.Split(' '));
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("images.sh: ", run.Errors, StringComparison.Ordinal);
        Assert.Empty(tools.Calls());
    }

    [Fact]
    public void Every_Dockerfile_builds_on_the_build_platform_and_runs_nothing_on_the_target()
    {
        // So no stage needs QEMU: .NET is not supported under emulation.
        foreach (var path in Dockerfiles())
        {
            var dockerfile = Dockerfile.Read(path);
            Assert.StartsWith("--platform=$BUILDPLATFORM ", dockerfile.BuildFrom, StringComparison.Ordinal);
            Assert.Empty(dockerfile.FinalRuns);
        }
    }

    [Fact]
    public async Task Exporter_build_stage_installs_the_target_toolchain_only_when_cross_compiling()
    {
        var setup = Assert.Single(Dockerfile.Read(PublishedImages.DockerfileOf("exporter")).BuildRuns,
            r => !r.StartsWith("dotnet publish ", StringComparison.Ordinal));
        var architectures = BothPlatforms.Select(p => p["linux/".Length..]).ToList();
        foreach (var build in architectures)
        {
            foreach (var target in architectures)
            {
                var (result, calls) = await RunStepAsync(setup, build, target);
                Assert.True(result.ExitCode == 0, $"{build} -> {target}: {result.All}");
                var installs = calls.Where(c => c is ["apt-get", "install", ..]).ToList();
                if (build == target)
                {
                    Assert.Empty(calls);
                    continue;
                }
                // The target's C runtime and a gcc driver for it (clang links with its binutils).
                var packages = Assert.Single(installs).Skip(2).Where(a => !a.StartsWith('-')).ToList();
                Assert.Contains($"libc6-dev-{target}-cross", packages);
                Assert.Contains(packages, p => p.StartsWith("gcc-", StringComparison.Ordinal) && p.EndsWith("-linux-gnu", StringComparison.Ordinal));
            }
        }

        var (unknown, unknownCalls) = await RunStepAsync(setup, "amd64", "riscv64");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Empty(unknownCalls);
    }

    /// <summary>A RUN step as /bin/sh runs it, with stand-ins for every program it may call and nothing else on PATH.</summary>
    private static async Task<(Tool.Result Result, IReadOnlyList<IReadOnlyList<string>> Calls)> RunStepAsync(string step, string buildArch, string targetArch)
    {
        using var tools = new FakeTools(["apt-get", "rm"]);
        var result = await Tool.RunAsync("env", ["-i", .. tools.Environment(systemPath: ""), $"BUILDARCH={buildArch}", $"TARGETARCH={targetArch}", "/bin/sh", "-c", step]);
        return (result, tools.Calls());
    }

    /// <summary>The images of a rendering, as the one build of the script that makes them all (one registry, one tag).</summary>
    private static Task<IReadOnlyList<string>> ImagesOfOneBuildAsync(IReadOnlyList<string> rendered)
    {
        var references = rendered.Select(ImageReference.Parse).ToList();
        var prefixes = references.Select(r => r.Prefix).Distinct().ToList();
        var tags = references.Select(r => r.Tag).Distinct().ToList();
        Assert.True(prefixes.Count == 1 && tags.Count == 1, $"Not one registry and tag, as one build of deploy/images.sh makes: {string.Join(", ", rendered)}");
        return ImageScript.ImagesAsync("--registry", prefixes[0], "--tag", tags[0]);
    }

    /// <summary>The --registry and --tag of a documented deploy/images.sh command.</summary>
    private static string[] RegistryAndTag(string command)
    {
        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return [.. words.Select((w, i) => (w, i)).Where(p => p.w is "--registry" or "--tag").SelectMany(p => new[] { p.w, words[p.i + 1] })];
    }

    /// <summary>The options of a command that take a value (<c>--name value</c>).</summary>
    private static Dictionary<string, string> Options(IEnumerable<string> arguments)
    {
        var list = arguments.ToList();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < list.Count; i++)
        {
            if (list[i].StartsWith("--", StringComparison.Ordinal) && !list[i + 1].StartsWith("--", StringComparison.Ordinal)) options[list[i]] = list[i + 1];
        }
        return options;
    }

    /// <summary>Every program's Dockerfile: a folder at the repository's top with a Dockerfile.</summary>
    private static List<string> Dockerfiles() =>
        Sorted(Directory.GetDirectories(RepoPaths.Root).Select(d => Path.Combine(d, "Dockerfile")).Where(File.Exists));

    private static string ProgramOf(string dockerfile) => Path.GetFileName(Path.GetDirectoryName(dockerfile)!);

    private static List<string> Lines(IEnumerable<IReadOnlyList<string>> calls) => [.. calls.Select(c => string.Join(' ', c))];

    private static List<string> Sorted(IEnumerable<string> items) => [.. items.Distinct().Order(StringComparer.Ordinal)];
}

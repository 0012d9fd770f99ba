using KubeMonitor.Deploy.Tests.Support;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests;

/// <summary>
/// A fresh clone, with nothing of the development machine beside it, builds and passes the tests
/// that read fixtures: the repository needs nothing outside itself. (The whole of test.sh in a
/// clone takes about 14 minutes, and CI runs it in a clean clone anyway; this subset is what could
/// need an outside file. Only the exporter's test project is built: the solution's other projects
/// read no fixture, and building them too tripled the test's time.)
/// </summary>
public sealed class CloneTests
{
    /// <summary>The exporter tests that read tests/fixtures: parsers, the golden /metrics, pod metadata.</summary>
    private const string FixtureTests =
        "FullyQualifiedName~.Parsers.|FullyQualifiedName~.Golden.|FullyQualifiedName~PodMetadataMapperTests";

    [Fact]
    public async Task A_clone_of_HEAD_builds_and_passes_its_fixture_tests_alone()
    {
        // <temp>/<random>/kubemonitor: nothing sits beside the clone, as after a clone from a public host.
        var parent = Directory.CreateTempSubdirectory("kubemonitor-clone-");
        var clone = Path.Combine(parent.FullName, "kubemonitor");
        try
        {
            await Tool.RunOkAsync("git", ["clone", "--quiet", "--local", "--no-hardlinks", RepoPaths.Root, clone]);
            Assert.False(Directory.Exists(Path.Combine(parent.FullName, "shared")));

            // No build servers: nothing of the clone's build may outlive the test.
            await Tool.RunOkAsync("dotnet", ["build", "tests/KubeMonitor.Exporter.Tests", "-c", "Release", "-nologo", "-v", "quiet", "--disable-build-servers"],
                clone, TimeSpan.FromMinutes(6));
            var output = await Tool.RunOkAsync("dotnet",
                ["test", "tests/KubeMonitor.Exporter.Tests", "-c", "Release", "--no-build", "-nologo", "--filter", FixtureTests],
                clone, TimeSpan.FromMinutes(3));

            // The filter must have found the fixture tests, not nothing.
            var passed = System.Text.RegularExpressions.Regex.Match(output, @"Passed:\s*(\d+)");
            Assert.True(passed.Success && int.Parse(passed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 20,
                "Too few fixture tests ran in the clone:\n" + output);
        }
        finally
        {
            parent.Delete(recursive: true);
        }
    }
}

using System.Security.Cryptography;
using KubeMonitor.Deploy.Tests.Support;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests;

/// <summary>
/// A clone from a public host is the whole product: no tracked file names a path outside the
/// repository, and the fixtures the tests read are inside it, each with its source and licence.
/// </summary>
public sealed class StandaloneRepositoryTests
{
    private static readonly string Fixtures = RepoPaths.Fixtures;

    /// <summary>
    /// Paths that exist only on the machine the project was developed on: its workbench beside
    /// the repository, and that machine's work folder. Put together here, so that this file,
    /// which has to look for them, does not contain them.
    /// </summary>
    private static readonly string[] OutsidePaths = [Join("..", "shared"), Join("", "work", "shared"), Join("", "work", "")];

    private static string Join(params string[] parts) => string.Join('/', parts);

    [Fact]
    public async Task No_tracked_file_refers_outside_the_repository()
    {
        var tracked = (await Tool.RunOkAsync("git", ["ls-files", "-z"], RepoPaths.Root)).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(tracked);
        var found = new List<string>();
        foreach (var file in tracked)
        {
            var path = Path.Combine(RepoPaths.Root, file);
            if (!File.Exists(path)) continue; // deleted in the work tree, not yet committed
            var bytes = File.ReadAllBytes(path);
            if (Array.IndexOf(bytes, (byte)0) >= 0) continue; // binary
            var lines = System.Text.Encoding.UTF8.GetString(bytes).Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                found.AddRange(OutsidePaths.Where(p => lines[i].Contains(p, StringComparison.Ordinal)).Select(p => $"{file}:{i + 1}: {p}"));
            }
        }
        Assert.True(found.Count == 0, "Paths outside the repository:\n" + string.Join('\n', found));
    }

    [Fact]
    public void Every_fixture_is_listed_with_its_source_and_licence()
    {
        var readme = File.ReadAllLines(Path.Combine(Fixtures, "README.md"));
        var unlisted = new List<string>();
        foreach (var file in FixtureFiles())
        {
            // Its row in a table: | `path` | source repository | path upstream | commit | licence | ...
            var row = readme.FirstOrDefault(l => l.StartsWith($"| `{file}` |", StringComparison.Ordinal));
            var cells = row?.Split('|', StringSplitOptions.TrimEntries) ?? [];
            if (cells.Length < 7 || cells[2].Length == 0 || !Licences.Contains(cells[5])) unlisted.Add(file);
        }
        Assert.True(unlisted.Count == 0, "tests/fixtures/README.md has no source and licence for:\n" + string.Join('\n', unlisted));
    }

    [Fact]
    public void Every_fixture_matches_its_recorded_checksum()
    {
        var sums = File.ReadAllLines(Path.Combine(Fixtures, "SHA256SUMS"))
            .Select(l => l.Split("  ", 2))
            .ToDictionary(p => p[1].TrimStart('.', '/'), p => p[0], StringComparer.Ordinal);
        var files = FixtureFiles().ToList();
        Assert.Equal(files.Order(StringComparer.Ordinal), sums.Keys.Order(StringComparer.Ordinal));
        Assert.All(files, f => Assert.True(
            sums[f] == Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Fixtures, f)))),
            $"{f} differs from the copy recorded in SHA256SUMS"));
    }

    [Fact]
    public void Every_fixture_path_the_tests_name_exists_under_tests_fixtures()
    {
        // RepoPaths.Fixture("proc", "node-exporter", ...): the first literal parts must be a folder here.
        var named = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"RepoPaths\.Fixture\(""([^""]+)""")
                .Select(m => (File: Path.GetRelativePath(RepoPaths.Root, f), Folder: m.Groups[1].Value)))
            .ToList();
        Assert.NotEmpty(named);
        Assert.All(named, n => Assert.True(Directory.Exists(Path.Combine(Fixtures, n.Folder)), $"{n.File} reads tests/fixtures/{n.Folder}, which does not exist"));
    }

    private static readonly HashSet<string> Licences = ["Apache-2.0", "MIT"];

    /// <summary>Every sample file, relative to tests/fixtures, without the README and the checksums.</summary>
    private static IEnumerable<string> FixtureFiles() =>
        Directory.EnumerateFiles(Fixtures, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Fixtures, f).Replace('\\', '/'))
            .Where(f => f is not "README.md" and not "SHA256SUMS")
            .Order(StringComparer.Ordinal);
}

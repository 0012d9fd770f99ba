using System.Text.RegularExpressions;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests;

/// <summary>
/// docs/api.md is the contract the code cites by section ("docs/api.md section 4"): its sections
/// keep their numbers, and every citation in the repository names a section that exists.
/// </summary>
public sealed partial class ApiDocumentTests
{
    private static readonly string ApiDocument = Path.Combine(RepoPaths.Root, "docs", "api.md");

    [Fact]
    public void Sections_are_numbered_1_to_9_in_order()
    {
        var numbers = File.ReadAllLines(ApiDocument).Select(l => Heading().Match(l)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(1, 9), numbers);
    }

    [Fact]
    public void Every_section_the_repository_cites_exists()
    {
        var sections = File.ReadAllLines(ApiDocument).Select(l => Heading().Match(l)).Where(m => m.Success)
            .Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var cited = new List<(string File, string Section)>();
        foreach (var file in SourceFiles())
        {
            foreach (Match citation in Citation().Matches(File.ReadAllText(file)))
            {
                cited.AddRange(Number().Matches(citation.Groups[1].Value).Select(n => (Path.GetRelativePath(RepoPaths.Root, file), n.Value)));
            }
        }
        Assert.NotEmpty(cited);
        Assert.All(cited, c => Assert.True(sections.Contains(c.Section), $"{c.File} cites docs/api.md section {c.Section}, which does not exist."));
    }

    /// <summary>Code, project files and documents; no build output, no fixtures copied from elsewhere.</summary>
    private static IEnumerable<string> SourceFiles()
    {
        string[] extensions = [".cs", ".csproj", ".props", ".md", ".yaml", ".sh"];
        string[] skipped = ["bin", "obj", ".git", "fixtures", "node_modules"];
        var pending = new Stack<string>([RepoPaths.Root]);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            foreach (var sub in Directory.EnumerateDirectories(dir).Where(d => !skipped.Contains(Path.GetFileName(d)))) pending.Push(sub);
            foreach (var file in Directory.EnumerateFiles(dir).Where(f => extensions.Contains(Path.GetExtension(f)))) yield return file;
        }
    }

    [GeneratedRegex(@"^## (\d+)\. ")]
    private static partial Regex Heading();

    /// <summary>"docs/api.md section 4", "docs/api.md sections 1 and 2", "docs/api.md 5".</summary>
    [GeneratedRegex(@"docs/api\.md,? (?:sections? )?(\d+(?:(?:, | and | or )\d+)*)")]
    private static partial Regex Citation();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Number();
}

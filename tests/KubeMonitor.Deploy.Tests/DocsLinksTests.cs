using KubeMonitor.Deploy.Tests.Support;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests;

/// <summary>
/// A clone is all an operator has: every relative link in README.md and docs/*.md names a file in
/// the repository, and every #anchor a heading of the file it points into.
/// </summary>
public sealed class DocsLinksTests
{
    public static TheoryData<string> Documents()
    {
        var documents = new TheoryData<string>("README.md");
        foreach (var doc in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            documents.Add(Path.GetRelativePath(RepoPaths.Root, doc).Replace('\\', '/'));
        }
        return documents;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_relative_link_resolves_inside_the_repository(string document)
    {
        var source = Path.Combine(RepoPaths.Root, document);
        var broken = new List<string>();
        foreach (var (line, target) in MarkdownLinks.RelativeLinks(source))
        {
            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var file = hash < 0 ? target : target[..hash];
            var anchor = hash < 0 ? null : Uri.UnescapeDataString(target[(hash + 1)..]);
            var resolved = file.Length == 0 ? source : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, Uri.UnescapeDataString(file)));
            if (!resolved.StartsWith(RepoPaths.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                broken.Add($"{document}:{line}: {target} leaves the repository");
            }
            else if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                broken.Add($"{document}:{line}: {target}: no such file");
            }
            else if (anchor is not null && !(resolved.EndsWith(".md", StringComparison.Ordinal) && MarkdownLinks.Anchors(resolved).Contains(anchor)))
            {
                broken.Add($"{document}:{line}: {target}: no heading with anchor #{anchor}");
            }
        }
        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }

    [Fact]
    public void Anchors_follow_GitHubs_rules()
    {
        var doc = Path.Combine(Path.GetTempPath(), $"anchors-{Guid.NewGuid():N}.md");
        try
        {
            File.WriteAllLines(doc, [
                "# KubeMonitor API", "## 3. Queries", "### prometheus-operator (kube-prometheus-stack)",
                "## `Facade:Source` and [links](x.md)", "## Usage", "## Usage", "```", "# not a heading", "```",
            ]);
            Assert.Equal(
                new HashSet<string> { "kubemonitor-api", "3-queries", "prometheus-operator-kube-prometheus-stack", "facadesource-and-links", "usage", "usage-1" },
                MarkdownLinks.Anchors(doc));
        }
        finally
        {
            File.Delete(doc);
        }
    }
}

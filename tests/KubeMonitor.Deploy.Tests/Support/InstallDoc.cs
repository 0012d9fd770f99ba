using System.Text.RegularExpressions;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>docs/install.md as the tests read it: its sections and the commands and YAML it shows.</summary>
internal static partial class InstallDoc
{
    public static string Text => File.ReadAllText(SizingTable.DocumentPath);

    /// <summary>The text of a "## " section, up to the next one.</summary>
    public static string Section(string heading)
    {
        var markdown = Text;
        var start = markdown.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/install.md has no '{heading}' section.");
        var end = markdown.IndexOf("\n## ", start + heading.Length + 1, StringComparison.Ordinal);
        return end < 0 ? markdown[start..] : markdown[start..end];
    }

    /// <summary>The bodies of the ```yaml blocks in <paramref name="markdown"/>.</summary>
    public static IReadOnlyList<string> YamlBlocks(string markdown) => [.. YamlBlock().Matches(markdown).Select(m => m.Groups[1].Value)];

    /// <summary>The shell lines in <paramref name="markdown"/> that start with <paramref name="command"/>, comments cut off.</summary>
    public static IReadOnlyList<string> CommandLines(string markdown, string command) =>
        [.. markdown.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(command + " ", StringComparison.Ordinal))
            .Select(l => l.Split(" #", 2)[0].Trim())];

    [GeneratedRegex(@"```yaml\n(.*?)```", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex YamlBlock();
}

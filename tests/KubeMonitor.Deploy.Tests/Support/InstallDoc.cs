using System.Text.RegularExpressions;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>
/// docs/install.md as the tests read it: its sections, the commands and YAML it shows, and the
/// blocks tests run as written (each the fenced block right after an HTML comment
/// <c>&lt;!-- test: name --&gt;</c>, which renders as nothing).
/// </summary>
internal static partial class InstallDoc
{
    public static string Path { get; } = System.IO.Path.Combine(RepoPaths.Root, "docs", "install.md");

    public static string Text => File.ReadAllText(Path);

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

    public static string MarkedBlock(string name)
    {
        var blocks = Marked().Matches(Text).Where(m => m.Groups["name"].Value == name).ToList();
        Assert.True(blocks.Count == 1, $"docs/install.md has {blocks.Count} blocks marked '<!-- test: {name} -->', not one.");
        return blocks[0].Groups["body"].Value;
    }

    [GeneratedRegex(@"```yaml\n(.*?)```", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex YamlBlock();

    [GeneratedRegex(@"^<!-- test: (?<name>[\w-]+) -->\n```\w*\n(?<body>.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex Marked();
}

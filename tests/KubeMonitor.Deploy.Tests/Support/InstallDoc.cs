using System.Text.RegularExpressions;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>
/// Blocks of docs/install.md that tests run as written: each is the fenced block right after an
/// HTML comment <c>&lt;!-- test: name --&gt;</c>, which renders as nothing.
/// </summary>
internal static partial class InstallDoc
{
    public static string Path { get; } = System.IO.Path.Combine(RepoPaths.Root, "docs", "install.md");

    public static string MarkedBlock(string name)
    {
        var blocks = Marked().Matches(File.ReadAllText(Path)).Where(m => m.Groups["name"].Value == name).ToList();
        Assert.True(blocks.Count == 1, $"docs/install.md has {blocks.Count} blocks marked '<!-- test: {name} -->', not one.");
        return blocks[0].Groups["body"].Value;
    }

    [GeneratedRegex(@"^<!-- test: (?<name>[\w-]+) -->\n```\w*\n(?<body>.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex Marked();
}

using System.Text.RegularExpressions;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>docs/runbooks.md: its headings as the anchors a link can name, and its PromQL snippets.</summary>
internal static partial class Runbooks
{
    public static string DocumentPath { get; } = Path.Combine(RepoPaths.Root, "docs", "runbooks.md");

    /// <summary>Every heading (outside code blocks), with its level and its anchor.</summary>
    public static IReadOnlyList<(int Level, string Text, string Anchor)> Headings()
    {
        var headings = new List<(int, string, string)>();
        var inCode = false;
        foreach (var line in File.ReadLines(DocumentPath))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) inCode = !inCode;
            if (inCode || Heading().Match(line) is not { Success: true } m) continue;
            var text = m.Groups[2].Value.Trim();
            headings.Add((m.Groups[1].Length, text, Anchor(text)));
        }
        return headings;
    }

    /// <summary>
    /// The anchor GitHub (and most Markdown renderers) give a heading: lower case, punctuation
    /// other than - and _ removed, spaces made hyphens.
    /// </summary>
    public static string Anchor(string heading) =>
        NotInAnchor().Replace(heading.ToLowerInvariant(), "").Replace(' ', '-');

    /// <summary>The contents of every ```promql block.</summary>
    public static IReadOnlyList<string> PromqlSnippets() =>
        [.. PromqlBlock().Matches(File.ReadAllText(DocumentPath)).Select(m => m.Groups[1].Value.Trim())];

    [GeneratedRegex(@"^(#{1,6})\s+(.+)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{Nd} _-]")]
    private static partial Regex NotInAnchor();

    [GeneratedRegex(@"^\s*```promql\n(.*?)^\s*```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex PromqlBlock();
}

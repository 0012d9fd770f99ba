using System.Text.RegularExpressions;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>The relative links of a Markdown document and the anchors GitHub gives its headings.</summary>
internal static partial class MarkdownLinks
{
    /// <summary>Every inline link target (<c>[text](target)</c>) outside code, except absolute URLs; with its line number.</summary>
    public static IReadOnlyList<(int Line, string Target)> RelativeLinks(string path)
    {
        var links = new List<(int, string)>();
        var number = 0;
        foreach (var line in OutsideCode(path))
        {
            number++;
            if (line is null) continue;
            foreach (Match m in Link().Matches(InlineCode().Replace(line, "")))
            {
                var target = m.Groups[1].Value;
                if (!Absolute().IsMatch(target)) links.Add((number, target));
            }
        }
        return links;
    }

    /// <summary>
    /// The anchors of every heading outside code, as GitHub makes them: the heading's text (link
    /// text, not URLs) in lower case, characters other than letters, digits, space, - and _ removed,
    /// spaces made hyphens; a repeated anchor gets -1, -2 ... in order.
    /// </summary>
    public static IReadOnlySet<string> Anchors(string path)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in OutsideCode(path))
        {
            if (line is null || Heading().Match(line) is not { Success: true } m) continue;
            var text = Link().Replace(m.Groups[1].Value.Trim().TrimEnd('#').Trim(), l => l.Value[1..l.Value.IndexOf(']', StringComparison.Ordinal)]);
            var slug = NotInAnchor().Replace(text.ToLowerInvariant(), "").Replace(' ', '-');
            var count = seen.GetValueOrDefault(slug);
            seen[slug] = count + 1;
            anchors.Add(count == 0 ? slug : $"{slug}-{count}");
        }
        return anchors;
    }

    /// <summary>The document's lines, with null for each line inside a fenced code block (so line numbers stay right).</summary>
    private static IEnumerable<string?> OutsideCode(string path)
    {
        var inCode = false;
        foreach (var line in File.ReadLines(path))
        {
            var fence = line.TrimStart().StartsWith("```", StringComparison.Ordinal) || line.TrimStart().StartsWith("~~~", StringComparison.Ordinal);
            if (fence) inCode = !inCode;
            yield return fence || inCode ? null : line;
        }
    }

    [GeneratedRegex(@"^#{1,6}\s+(.+)$")]
    private static partial Regex Heading();

    /// <summary>[text](target) or [text](target "title"); the target without angle brackets or title.</summary>
    [GeneratedRegex(@"\[[^\]]*\]\(<?([^)\s>]+)>?(?:\s+""[^""]*"")?\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Absolute();

    [GeneratedRegex(@"[^\p{L}\p{Nd} _-]")]
    private static partial Regex NotInAnchor();
}

using System.Text;
using System.Text.RegularExpressions;

namespace KubeMonitor.Facade.Sources.Prometheus;

internal enum MatchOperator
{
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

/// <summary>
/// One PromQL label matcher (<c>interface!="lo"</c>). Parsed to check the configured selector
/// before the first query, and to apply a field's matchers to the series of a query that asks for
/// several metrics at once (a selector's matchers apply to every metric it names).
/// </summary>
internal sealed class LabelMatcher
{
    private readonly Regex? _regex;

    public LabelMatcher(string name, MatchOperator op, string value)
    {
        Name = name;
        Operator = op;
        Value = value;
        // PromQL regexes are anchored at both ends.
        if (op is MatchOperator.Regex or MatchOperator.NotRegex)
        {
            _regex = new Regex($"^(?:{value})$", RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
        }
    }

    public string Name { get; }

    public MatchOperator Operator { get; }

    public string Value { get; }

    /// <summary>Whether a label value passes; a missing label is the empty string, as in PromQL.</summary>
    public bool Matches(string? labelValue)
    {
        labelValue ??= "";
        return Operator switch
        {
            MatchOperator.Equal => labelValue == Value,
            MatchOperator.NotEqual => labelValue != Value,
            MatchOperator.Regex => _regex!.IsMatch(labelValue),
            _ => !_regex!.IsMatch(labelValue),
        };
    }

    public override string ToString() => Name + Operator switch
    {
        MatchOperator.Equal => "=",
        MatchOperator.NotEqual => "!=",
        MatchOperator.Regex => "=~",
        _ => "!~",
    } + PromQl.Quote(Value);

    /// <summary>
    /// Parses a comma-separated matcher list as it stands between a selector's braces
    /// (<c>cluster="prod-1", env=~"a|b"</c>); empty text is no matcher.
    /// </summary>
    /// <exception cref="FormatException">With what is wrong and where.</exception>
    public static IReadOnlyList<LabelMatcher> ParseList(string text)
    {
        var matchers = new List<LabelMatcher>();
        var i = 0;
        SkipSpace(text, ref i);
        while (i < text.Length)
        {
            var name = ReadName(text, ref i);
            SkipSpace(text, ref i);
            var op = ReadOperator(text, ref i);
            SkipSpace(text, ref i);
            var value = ReadString(text, ref i);
            try
            {
                matchers.Add(new LabelMatcher(name, op, value));
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"the regex of {name} is not valid: {e.Message}");
            }
            SkipSpace(text, ref i);
            if (i == text.Length) break;
            if (text[i] != ',') throw new FormatException($"expected ',' at position {i + 1}, found '{text[i]}'");
            i++;
            SkipSpace(text, ref i);
        }
        return matchers;
    }

    private static void SkipSpace(string text, ref int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
    }

    private static string ReadName(string text, ref int i)
    {
        var start = i;
        while (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_' || (i > start && char.IsAsciiDigit(text[i])))) i++;
        if (i == start) throw new FormatException($"expected a label name at position {start + 1}");
        return text[start..i];
    }

    private static MatchOperator ReadOperator(string text, ref int i)
    {
        var rest = text.AsSpan(i);
        (MatchOperator op, int length) = rest switch
        {
            _ when rest.StartsWith("!=") => (MatchOperator.NotEqual, 2),
            _ when rest.StartsWith("=~") => (MatchOperator.Regex, 2),
            _ when rest.StartsWith("!~") => (MatchOperator.NotRegex, 2),
            _ when rest.StartsWith("=") => (MatchOperator.Equal, 1),
            _ => throw new FormatException($"expected =, !=, =~ or !~ at position {i + 1}"),
        };
        i += length;
        return op;
    }

    /// <summary>A PromQL string: "..." or '...' with backslash escapes, or `...` raw.</summary>
    private static string ReadString(string text, ref int i)
    {
        if (i >= text.Length || text[i] is not ('"' or '\'' or '`')) throw new FormatException($"expected a quoted value at position {i + 1}");
        var quote = text[i++];
        var value = new StringBuilder();
        while (i < text.Length && text[i] != quote)
        {
            var c = text[i++];
            if (c != '\\' || quote == '`')
            {
                value.Append(c);
                continue;
            }
            if (i == text.Length) break;
            var escaped = text[i++];
            value.Append(escaped switch
            {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '\\' or '"' or '\'' => escaped,
                _ => throw new FormatException($"unsupported escape \\{escaped} at position {i - 1}"),
            });
        }
        if (i >= text.Length) throw new FormatException("a quoted value is not closed");
        i++;
        return value.ToString();
    }
}

using System.Globalization;
using System.Text;

namespace KubeMonitor.Facade.Sources.Prometheus;

/// <summary>The pieces of PromQL text the source writes: quoted strings, regex alternatives, durations, times, selectors.</summary>
internal static class PromQl
{
    /// <summary>A double-quoted PromQL string.</summary>
    public static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '\\' => @"\\",
                '"' => "\\\"",
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }

    /// <summary>A regex (RE2) that matches exactly these strings.</summary>
    public static string Alternatives(IEnumerable<string> values)
    {
        var regex = new StringBuilder();
        foreach (var value in values)
        {
            if (regex.Length > 0) regex.Append('|');
            foreach (var c in value)
            {
                if (@"\.+*?()|[]{}^$".Contains(c)) regex.Append('\\');
                regex.Append(c);
            }
        }
        return regex.ToString();
    }

    /// <summary>A matcher for one value or any of several (<c>pod="a"</c>, <c>pod=~"a|b"</c>).</summary>
    public static string OneOf(string label, IReadOnlyCollection<string> values) =>
        values.Count == 1 ? $"{label}={Quote(values.First())}" : $"{label}=~{Quote(Alternatives(values))}";

    /// <summary>A range in whole milliseconds, which every compatible server reads.</summary>
    public static string Duration(long milliseconds) => $"{Math.Max(1, milliseconds)}ms";

    /// <summary>The <c>time</c> parameter: Unix seconds with milliseconds.</summary>
    public static string Time(long unixMs) => (unixMs / 1000m).ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary><c>{m1,m2,...}</c> from matchers, skipping empty ones.</summary>
    public static string Selector(params IEnumerable<string?> matchers) =>
        "{" + string.Join(",", matchers.Where(m => !string.IsNullOrEmpty(m))) + "}";
}

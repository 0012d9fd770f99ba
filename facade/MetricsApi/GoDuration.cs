using System.Globalization;
using System.Text;

namespace KubeMonitor.Facade.MetricsApi;

/// <summary>Durations as Go writes and reads them (<c>time.Duration.String</c>, <c>time.ParseDuration</c>): what <c>window</c> carries and what <c>Facade:MetricsApi:Window</c> takes.</summary>
internal static class GoDuration
{
    private const long NanosPerSecond = 1_000_000_000;

    /// <summary><c>5s</c>, <c>5.002s</c>, <c>1m0s</c>, <c>1h0m0s</c>, <c>500ms</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        // TimeSpan ticks are 100 ns: exact in nanoseconds.
        var nanos = duration.Ticks * 100;
        if (nanos == 0) return "0s";
        var sign = nanos < 0 ? "-" : "";
        var u = (ulong)Math.Abs(nanos);
        if (u < NanosPerSecond)
        {
            // Below a second Go picks the unit that keeps a whole part: ns, µs or ms.
            return u switch
            {
                < 1_000 => $"{sign}{u}ns",
                < 1_000_000 => sign + Fraction(u, 1_000) + "µs",
                _ => sign + Fraction(u, 1_000_000) + "ms",
            };
        }
        var text = new StringBuilder(sign);
        var seconds = u / NanosPerSecond;
        var (hours, minutes) = (seconds / 3600, seconds / 60 % 60);
        if (hours > 0) text.Append(CultureInfo.InvariantCulture, $"{hours}h");
        if (seconds >= 60) text.Append(CultureInfo.InvariantCulture, $"{minutes}m");
        return text.Append(Fraction(u % (60 * NanosPerSecond), NanosPerSecond)).Append('s').ToString();
    }

    /// <summary><paramref name="value"/> / <paramref name="unit"/> with the fraction's trailing zeros (and a bare point) left out.</summary>
    private static string Fraction(ulong value, ulong unit)
    {
        var whole = (value / unit).ToString(CultureInfo.InvariantCulture);
        var rest = value % unit;
        if (rest == 0) return whole;
        var digits = unit.ToString(CultureInfo.InvariantCulture).Length - 1;
        return whole + "." + rest.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
    }

    private static readonly (string Unit, double Nanos)[] Units =
        [("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)];

    /// <summary>Go's syntax: <c>0</c>, or numbers with units (<c>1m30s</c>, <c>1.5s</c>, <c>300ms</c>), optionally signed.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text)) return false;
        var at = 0;
        var negative = text[0] == '-';
        if (text[0] is '-' or '+') at++;
        if (text[at..] == "0") return true;
        if (at == text.Length) return false;
        double nanos = 0;
        while (at < text.Length)
        {
            var start = at;
            while (at < text.Length && (char.IsAsciiDigit(text[at]) || text[at] == '.')) at++;
            if (!double.TryParse(text.AsSpan(start, at - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
            // The longest unit that matches ("ms" before "m").
            var unit = Units.Where(u => text.AsSpan(at).StartsWith(u.Unit, StringComparison.Ordinal)).OrderByDescending(u => u.Unit.Length).FirstOrDefault();
            if (unit.Unit is null) return false;
            at += unit.Unit.Length;
            nanos += number * unit.Nanos;
        }
        if (nanos / 100 > TimeSpan.MaxValue.Ticks) return false;
        duration = TimeSpan.FromTicks((long)Math.Round(nanos / 100) * (negative ? -1 : 1));
        return true;
    }
}

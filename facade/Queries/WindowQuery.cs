using System.Globalization;
using KubeMonitor.Facade.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KubeMonitor.Facade.Queries;

/// <summary>A checked <c>?window=&amp;step=</c>: whole seconds, 1 &lt;= step &lt;= window &lt;= retention.</summary>
internal sealed record WindowQuery(int WindowSeconds, int StepSeconds)
{
    /// <summary>
    /// Null window and no problem when <c>?window=</c> is absent (the latest view is asked for);
    /// a problem for anything but a plain integer in range.
    /// </summary>
    public static (WindowQuery? Window, ProblemHttpResult? Problem) Parse(string? window, string? step, FacadeOptions options)
    {
        if (window is null) return (null, null);
        var max = options.MaxWindowSeconds;
        if (!TryParseSeconds(window, out var windowSeconds) || windowSeconds < 1 || windowSeconds > max)
        {
            return (null, Problems.BadRequest($"window must be an integer number of seconds from 1 to {max}, got '{window}'."));
        }
        var stepSeconds = Math.Min(options.DefaultStepSeconds, windowSeconds);
        if (step is not null && (!TryParseSeconds(step, out stepSeconds) || stepSeconds < 1 || stepSeconds > windowSeconds))
        {
            return (null, Problems.BadRequest($"step must be an integer number of seconds from 1 to the window ({windowSeconds}), got '{step}'."));
        }
        return (new WindowQuery(windowSeconds, stepSeconds), null);
    }

    /// <summary>Digits only: no sign, exponent, decimal point or spaces.</summary>
    private static bool TryParseSeconds(string text, out int seconds) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out seconds);

    public long FromMs(long nowMs) => nowMs - WindowSeconds * 1000L;
}

using System.Globalization;
using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Queries;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KubeMonitor.Facade.Api;

/// <summary>A checked <c>?window=&amp;step=</c>: whole seconds, 1 &lt;= step &lt;= window &lt;= the source's longest window.</summary>
internal static class WindowQuery
{
    /// <summary>
    /// Null window and no problem when <c>?window=</c> is absent (the latest view is asked for);
    /// a problem for anything but a plain integer in range.
    /// </summary>
    public static (QueryWindow? Window, ProblemHttpResult? Problem) Parse(string? window, string? step, TimeSpan maxWindow, FacadeOptions options)
    {
        if (window is null) return (null, null);
        var max = LongestSeconds(maxWindow);
        if (!TryParseSeconds(window, out var windowSeconds) || windowSeconds < 1 || windowSeconds > max)
        {
            return (null, Problems.BadRequest($"window must be an integer number of seconds from 1 to {max}, got '{window}'."));
        }
        var stepSeconds = Math.Min(options.DefaultStepSeconds, windowSeconds);
        if (step is not null && (!TryParseSeconds(step, out stepSeconds) || stepSeconds < 1 || stepSeconds > windowSeconds))
        {
            return (null, Problems.BadRequest($"step must be an integer number of seconds from 1 to the window ({windowSeconds}), got '{step}'."));
        }
        return (new QueryWindow(windowSeconds, stepSeconds), null);
    }

    /// <summary>The largest <c>?window=</c> in whole seconds (what <c>GET /api/info</c> tells as <c>maxWindowSeconds</c>).</summary>
    public static int LongestSeconds(TimeSpan maxWindow) => (int)Math.Min(int.MaxValue, Math.Floor(maxWindow.TotalSeconds));

    /// <summary>Digits only: no sign, exponent, decimal point or spaces.</summary>
    private static bool TryParseSeconds(string text, out int seconds) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out seconds);
}

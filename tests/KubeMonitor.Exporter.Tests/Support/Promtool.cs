using System.Diagnostics;

namespace KubeMonitor.Exporter.Tests.Support;

internal static class Promtool
{
    /// <summary>
    /// What <c>promtool check metrics</c> says about a text exposition (syntax and lint); empty
    /// when it has nothing to say. It reads the plain text format only, not OpenMetrics.
    /// </summary>
    public static async Task<string> CheckMetricsAsync(string text)
    {
        var start = new ProcessStartInfo("promtool", "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var promtool = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start");
        var output = promtool.StandardOutput.ReadToEndAsync();
        var errors = promtool.StandardError.ReadToEndAsync();
        await promtool.StandardInput.WriteAsync(text);
        promtool.StandardInput.Close();
        await promtool.WaitForExitAsync();
        var said = await output + await errors;
        Assert.True(promtool.ExitCode == 0, $"promtool exited {promtool.ExitCode}: {said}");
        return said;
    }
}

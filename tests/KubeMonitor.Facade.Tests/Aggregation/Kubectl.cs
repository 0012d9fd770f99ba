using System.Diagnostics;

namespace KubeMonitor.Facade.Tests.Aggregation;

/// <summary>
/// This machine's <c>kubectl</c> (a dispatcher that runs the kubectl of the server's minor version,
/// 1.27 to 1.33, from the server's /version) with a kubeconfig of the test's, and its discovery
/// cache in the test's folder rather than ~/.kube.
/// </summary>
internal sealed class Kubectl(string kubeconfig, string home)
{
    public sealed record Run(int ExitCode, string Stdout, string Stderr)
    {
        public string Describe => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    public async Task<Run> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = home,
        };
        foreach (var argument in arguments.Append("--request-timeout=20s")) start.ArgumentList.Add(argument);
        start.Environment["KUBECONFIG"] = kubeconfig;
        start.Environment["HOME"] = home;
        start.Environment["KUBECACHEDIR"] = Path.Combine(home, "cache");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        return new Run(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// kubectl's table as rows of column name to cell. Headers are single words (<c>CPU(cores)</c>),
    /// cells never hold spaces, so whitespace splits both.
    /// </summary>
    public static List<Dictionary<string, string>> Table(string stdout)
    {
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        var header = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return [.. lines.Skip(1).Select(line =>
        {
            var cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(cells.Length == header.Length, $"Row '{line}' does not fit header '{lines[0]}'.");
            return header.Zip(cells).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        })];
    }
}

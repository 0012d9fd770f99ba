using System.Diagnostics;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>Runs a command-line tool to its end and keeps what it printed.</summary>
internal static class Tool
{
    public sealed record Result(int ExitCode, string Output, string Errors)
    {
        public string All => Output + Errors;
    }

    public static async Task<Result> RunAsync(string program, IEnumerable<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not end in time.");
        }
        return new Result(process.ExitCode, await output, await errors);
    }

    /// <summary>Runs and fails the test (with the tool's own words) unless it exits 0.</summary>
    public static async Task<string> RunOkAsync(string program, IEnumerable<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var list = arguments.ToList();
        var result = await RunAsync(program, list, workingDirectory, timeout);
        Assert.True(result.ExitCode == 0, $"{program} {string.Join(' ', list)} exited {result.ExitCode}:\n{result.All}");
        return result.Output;
    }
}

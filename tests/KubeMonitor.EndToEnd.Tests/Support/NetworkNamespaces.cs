using System.Diagnostics;

namespace KubeMonitor.EndToEnd.Tests.Support;

/// <summary>
/// Network namespaces made for the test pods, and veth pairs between two of them with /30
/// addresses of 10.213.0.0/16 that exist only inside these namespaces (the host never sees
/// them). Dispose deletes every namespace it made, which also destroys the veth ends in them.
/// </summary>
internal sealed class NetworkNamespaces : IDisposable
{
    private readonly List<string> _created = [];
    private readonly string _prefix = "kme2e" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2));

    /// <summary>A new namespace with its loopback up; its name is returned.</summary>
    public string Add(string suffix)
    {
        var name = $"{_prefix}-{suffix}";
        Run("ip", "netns", "add", name);
        _created.Add(name);
        Run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /// <summary>A veth pair from <paramref name="first"/> (.1) to <paramref name="second"/> (.2) on 10.213.<paramref name="subnet"/>.0/30.</summary>
    public (string FirstAddress, string SecondAddress) Connect(string first, string second, int subnet)
    {
        // Interface names live inside the namespaces; a short random name only avoids clashes
        // in the host namespace during the moment before they are moved.
        var a = $"{_prefix}a{subnet}";
        var b = $"{_prefix}b{subnet}";
        Run("ip", "link", "add", a, "type", "veth", "peer", "name", b);
        try
        {
            Run("ip", "link", "set", a, "netns", first);
            Run("ip", "link", "set", b, "netns", second);
        }
        catch
        {
            TryRun("ip", "link", "del", a);
            throw;
        }
        var (firstAddress, secondAddress) = ($"10.213.{subnet}.1", $"10.213.{subnet}.2");
        Run("ip", "-n", first, "addr", "add", firstAddress + "/30", "dev", a);
        Run("ip", "-n", second, "addr", "add", secondAddress + "/30", "dev", b);
        Run("ip", "-n", first, "link", "set", a, "up");
        Run("ip", "-n", second, "link", "set", b, "up");
        return (firstAddress, secondAddress);
    }

    public void Dispose()
    {
        var failures = new List<string>();
        foreach (var name in _created)
        {
            if (!TryRun("ip", "netns", "del", name)) failures.Add(name);
        }
        _created.Clear();
        if (failures.Count > 0) throw new InvalidOperationException($"Could not delete network namespaces {string.Join(", ", failures)}.");
    }

    public static string Run(params string[] command)
    {
        var (code, output) = Execute(command);
        return code == 0 ? output : throw new InvalidOperationException($"'{string.Join(' ', command)}' failed ({code}): {output}");
    }

    private static bool TryRun(params string[] command) => Execute(command).Code == 0;

    private static (int Code, string Output) Execute(string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command[1..]) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', command)}' did not end in 30 s.");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}

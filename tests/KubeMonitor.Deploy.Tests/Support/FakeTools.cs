namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>
/// Stand-ins for command-line tools this machine cannot really run (docker, podman, apt-get): a
/// temp folder of shell scripts that record every call (program and arguments) and exit 0, or 1
/// when the arguments start with one of the given prefixes. Put <see cref="Dir"/> first on PATH.
/// </summary>
internal sealed class FakeTools : IDisposable
{
    private const char Separator = '\u001f';

    public string Dir { get; } = Directory.CreateTempSubdirectory("kubemonitor-fake-tools-").FullName;
    public string LogPath => Path.Combine(Dir, "calls.log");

    public FakeTools(IEnumerable<string> programs, params string[] failWhenArgsStartWith)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("The stand-ins are sh scripts.");
        var patterns = string.Join('|', failWhenArgsStartWith.Select(p => $"\"{p}\"*"));
        var failing = patterns.Length == 0 ? "" : $"case \"$*\" in {patterns}) exit 1 ;; esac";
        foreach (var program in programs)
        {
            var path = Path.Combine(Dir, program);
            // Builtins only: the script must work with nothing else on PATH.
            File.WriteAllText(path, $"""
                #!/bin/sh
                printf '%s' '{program}' >> "$FAKE_LOG"
                for a in "$@"; do printf '\037%s' "$a" >> "$FAKE_LOG"; done
                printf '\n' >> "$FAKE_LOG"
                {failing}
                exit 0

                """);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// The environment that routes the tools here, for <c>env -i</c>: PATH is the fakes, then
    /// <paramref name="systemPath"/> (none: nothing but the fakes and the shell's builtins).
    /// </summary>
    public IReadOnlyList<string> Environment(string systemPath = "/usr/bin:/bin") =>
        [systemPath.Length == 0 ? $"PATH={Dir}" : $"PATH={Dir}:{systemPath}", $"FAKE_LOG={LogPath}"];

    /// <summary>Every call so far, in order: the program, then its arguments.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Calls() =>
        File.Exists(LogPath)
            ? [.. File.ReadAllLines(LogPath).Select(line => (IReadOnlyList<string>)line.Split(Separator))]
            : [];

    public void ClearCalls() => File.Delete(LogPath);

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

namespace KubeMonitor.Facade.Auth;

/// <summary>
/// The current content of a token file. Kubernetes rotates a mounted Secret by swapping a
/// symlink to a new file, so the file is checked (one stat) on every use and re-read when
/// its modification time or length changed. The mounted key is itself a link
/// (<c>token -&gt; ..data/token</c>) that the swap leaves as it was, so the stat is of the file
/// it leads to, not of the link.
/// </summary>
internal sealed class TokenFile(string path)
{
    // File times come from a coarse kernel clock (a few ms): a file rewritten within the same
    // tick keeps its time. A read of a file this young is therefore not trusted for long.
    private static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);

    private readonly Lock gate = new();
    private volatile Snapshot? current;

    public string Path { get; } = path;

    /// <summary>The trimmed token, or null when the file is missing, unreadable or empty.</summary>
    public string? Read()
    {
        var info = new FileInfo(Path);
        if (info.LinkTarget is not null) info = info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info;
        if (!info.Exists) return null;
        var stamp = (info.LastWriteTimeUtc, info.Length);
        var seen = current;
        if (seen is not null && seen.Stamp == stamp && !seen.Racy) return seen.Token;

        lock (gate)
        {
            string text;
            try
            {
                text = File.ReadAllText(Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
            // Secrets written with `echo` end in a newline that is not part of the token.
            var token = text.Trim();
            var racy = DateTime.UtcNow - stamp.LastWriteTimeUtc < RacyWindow;
            current = new Snapshot(stamp, token.Length == 0 ? null : token, racy);
            return current.Token;
        }
    }

    private sealed record Snapshot((DateTime LastWriteTimeUtc, long Length) Stamp, string? Token, bool Racy);
}

namespace KubeMonitor.Exporter.Push;

/// <summary>
/// The push credential from a file. Kubernetes rotates mounted Secrets and projected tokens in
/// place, so the file is re-read whenever its size or modification time changes, and at least
/// once a minute in case a symlink swap kept both. The mounted key is itself a link
/// (<c>token -&gt; ..data/token</c>) that the swap leaves as it was, so size and time are those of
/// the file it leads to.
/// </summary>
internal sealed class BearerTokenSource(string path, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private string? _token;
    private DateTime _modified;
    private long _length;
    private DateTimeOffset _readAt;

    public string Path { get; } = path;

    /// <summary>The current token.</summary>
    /// <exception cref="IOException">The file cannot be read (or is empty): nothing should be sent without it.</exception>
    public string Current()
    {
        var file = new FileInfo(Path);
        if (file.LinkTarget is not null) file = file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
        if (!file.Exists) throw new FileNotFoundException($"Bearer token file '{Path}' does not exist.", Path);
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_token is not null && file.LastWriteTimeUtc == _modified && file.Length == _length && now - _readAt < MaxAge)
            {
                return _token;
            }
            var token = File.ReadAllText(Path).Trim();
            if (token.Length == 0) throw new IOException($"Bearer token file '{Path}' is empty.");
            (_token, _modified, _length, _readAt) = (token, file.LastWriteTimeUtc, file.Length, now);
            return token;
        }
    }
}

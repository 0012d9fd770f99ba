using System.Text.Json;
using System.Text.RegularExpressions;

namespace KubeMonitor.Deploy.Tests.Support;

/// <summary>
/// The instructions of a two-stage Dockerfile that the tests act on: the build stage's COPY from
/// the context and its RUN dotnet publish, and the final stage's USER, EXPOSE, ENV and ENTRYPOINT.
/// Continuation lines are joined; comments dropped.
/// </summary>
internal sealed partial record Dockerfile(
    string BuildWorkdir,
    IReadOnlyList<(IReadOnlyList<string> Sources, string Destination)> ContextCopies,
    IReadOnlyList<string> PublishCommand,
    string PublishOutput,
    IReadOnlyList<(string From, string To)> FinalCopiesFromBuild,
    string User,
    IReadOnlyList<int> Exposed,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> Entrypoint,
    string BuildFrom,
    IReadOnlyList<string> BuildRuns,
    IReadOnlyList<string> FinalRuns)
{
    public static Dockerfile Read(string path)
    {
        var lines = File.ReadAllText(path).Replace("\\\n", " ", StringComparison.Ordinal).Split('\n')
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var stages = new List<List<string>>();
        foreach (var line in lines)
        {
            if (line.StartsWith("FROM ", StringComparison.Ordinal)) stages.Add([]);
            stages[^1].Add(line);
        }
        Assert.Equal(2, stages.Count);
        var (build, final) = (stages[0], stages[1]);

        string Arg(string line) => line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..].Trim();
        var workdir = Arg(Assert.Single(build, l => l.StartsWith("WORKDIR ", StringComparison.Ordinal)));
        var copies = build.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal))
            .Select(l => Arg(l).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(parts => ((IReadOnlyList<string>)parts[..^1], parts[^1])).ToList();
        var run = Arg(Assert.Single(build, l => l.StartsWith("RUN dotnet publish ", StringComparison.Ordinal)))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var output = run[run.IndexOf("-o") + 1];

        var fromBuild = final.Where(l => l.StartsWith("COPY --from=build ", StringComparison.Ordinal))
            .Select(l => Arg(l).Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(p => (p[1], p[2])).ToList();
        var user = Arg(Assert.Single(final, l => l.StartsWith("USER ", StringComparison.Ordinal)));
        var exposed = final.Where(l => l.StartsWith("EXPOSE ", StringComparison.Ordinal))
            .Select(l => int.Parse(Arg(l).Split('/')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var environment = final.Where(l => l.StartsWith("ENV ", StringComparison.Ordinal))
            .Select(l => Arg(l).Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var entrypoint = JsonSerializer.Deserialize<string[]>(Arg(Assert.Single(final, l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))))!;
        IReadOnlyList<string> Runs(List<string> stage) => [.. stage.Where(l => l.StartsWith("RUN ", StringComparison.Ordinal)).Select(Arg)];
        return new Dockerfile(workdir, copies, run, output, fromBuild, user, exposed, environment, entrypoint,
            Arg(build[0]), Runs(build), Runs(final));
    }

    /// <summary>The uid of USER (numeric: the image has no passwd entry to resolve a name).</summary>
    public long Uid => long.Parse(User.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The gid of USER <c>uid:gid</c>; null when USER names no group.</summary>
    public long? Gid => User.Split(':') is [_, var gid] ? long.Parse(gid, System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>Where a path of the final image comes from in the publish output, or null.</summary>
    public string? PublishedPathOf(string imagePath)
    {
        foreach (var (from, to) in FinalCopiesFromBuild)
        {
            if (from.EndsWith('/') && to.EndsWith('/') && imagePath.StartsWith(to, StringComparison.Ordinal) && from == PublishOutput + "/")
            {
                return imagePath[to.Length..];
            }
            if (!from.EndsWith('/') && to.EndsWith('/') && imagePath == to + Path.GetFileName(from) && Path.GetDirectoryName(from) == PublishOutput)
            {
                return Path.GetFileName(from);
            }
        }
        return null;
    }

    [GeneratedRegex(@"\$\{?TARGETARCH\}?")]
    public static partial Regex TargetArch();
}

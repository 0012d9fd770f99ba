using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Options;

/// <summary>The exporter's command line, parsed and checked.</summary>
/// <param name="ProcRoot">Null: the default of <see cref="Host.HostRoot.Create"/> (/host/proc if it exists, else /proc).</param>
/// <param name="SysRoot">Null: /host/sys if it exists, else /sys.</param>
/// <param name="CgroupRoot">Null: &lt;sys root&gt;/fs/cgroup.</param>
/// <param name="Kubeconfig">Null: in-cluster config when inside a pod, else no metadata.</param>
public sealed partial record ExporterOptions(
    string NodeName,
    string? ProcRoot,
    string? SysRoot,
    string? CgroupRoot,
    IPEndPoint Listen,
    TimeSpan Interval,
    string? Kubeconfig,
    LogLevel LogLevel)
{
    /// <summary>Beside node_exporter's 9100, not on it: both run on every node.</summary>
    public const string DefaultListen = "0.0.0.0:9847";
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultPushBuffer = TimeSpan.FromMinutes(15);

    public const long DefaultPushBufferBytes = Push.PushOptions.DefaultBufferBytes;
    public const string DefaultPushBufferBytesText = "16Mi";

    /// <summary>Facades to push every collection to; empty: no push (only /metrics).</summary>
    public IReadOnlyList<Uri> FacadeUrls { get; init; } = [];

    /// <summary>File holding the bearer token for pushes (a mounted Secret or projected token); null: none.</summary>
    public string? PushTokenFile { get; init; }

    /// <summary>How much of the stream is kept per facade while it is unreachable.</summary>
    public TimeSpan PushBuffer { get; init; } = DefaultPushBuffer;

    /// <summary>At most this many bytes of batches are kept per facade; whichever bound is reached first drops the oldest.</summary>
    public long PushBufferBytes { get; init; } = DefaultPushBufferBytes;

    /// <summary>
    /// Parses the command line. <paramref name="environment"/> looks up environment variables
    /// (NODE_NAME); null reads the process environment.
    /// </summary>
    public static ExporterOptionsParse Parse(IReadOnlyList<string> args, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var command = new ExporterCommand();
        var result = command.Root.Parse(args);
        if (result.Errors.Count > 0)
        {
            return new ExporterOptionsParse(null, [.. result.Errors.Select(e => e.Message)], null);
        }
        if (result.Action is not null)
        {
            // --help or --version: the command's own action writes the text.
            using var output = new StringWriter(CultureInfo.InvariantCulture);
            result.Invoke(new InvocationConfiguration { Output = output, Error = output });
            return new ExporterOptionsParse(null, [], output.ToString());
        }
        var options = command.Read(result, environment);
        return ExporterCommand.IsNodeName(options.NodeName)
            ? new ExporterOptionsParse(options, [], null)
            : new ExporterOptionsParse(null, [$"The node name '{options.NodeName}' (from $NODE_NAME or the host name) is not a Kubernetes node name; pass --node-name."], null);
    }

    /// <summary>The command, its options and their parsers, kept together for reading values back.</summary>
    private sealed partial class ExporterCommand
    {
        public RootCommand Root { get; }

        // Defaults are applied in Read, not by DefaultValueFactory, so --help shows them as
        // written here rather than as formatted values (00:00:05).
        private readonly Option<string?> _nodeName = new("--node-name")
        {
            HelpName = "name",
            Description = "This node's Kubernetes name [default: $NODE_NAME, else the host name]",
            CustomParser = ParseNodeName,
        };
        private readonly Option<string?> _procRoot = new("--proc-root") { HelpName = "path", Description = "Host /proc to read [default: /host/proc if it exists, else /proc]" };
        private readonly Option<string?> _sysRoot = new("--sys-root") { HelpName = "path", Description = "Host /sys to read [default: /host/sys if it exists, else /sys]" };
        private readonly Option<string?> _cgroupRoot = new("--cgroup-root") { HelpName = "path", Description = "Host cgroup mount [default: <sys root>/fs/cgroup]" };
        private readonly Option<IPEndPoint?> _listen = new("--listen")
        {
            HelpName = "address:port",
            Description = $"Where to serve /metrics, /livez and /readyz [default: {DefaultListen}]",
            CustomParser = ParseListen,
        };
        private readonly Option<TimeSpan?> _interval = new("--interval")
        {
            HelpName = "duration",
            Description = "Collection interval: 5s, 500ms, 1m or plain seconds [default: 5s]",
            CustomParser = ParseInterval,
        };
        private readonly Option<string?> _kubeconfig = new("--kubeconfig") { HelpName = "path", Description = "Kubeconfig file for pod and node metadata (names, owners, labels, requests and limits) outside a cluster [default: in-cluster config inside a pod, else none]" };
        private readonly Option<Uri[]> _facadeUrls = new("--facade-url")
        {
            HelpName = "url",
            Description = "Facade to push every collection to (http[s]://host:port); repeat for several. A DNS name is resolved every interval and every address gets the stream (a headless Service) [default: none, no push]",
            AllowMultipleArgumentsPerToken = false,
            CustomParser = ParseFacadeUrls,
        };
        private readonly Option<string?> _pushTokenFile = new("--push-token-file") { HelpName = "path", Description = "File with the bearer token for pushes, re-read when it changes [default: none]" };
        private readonly Option<TimeSpan?> _pushBuffer = new("--push-buffer")
        {
            HelpName = "duration",
            Description = "How much of the stream to keep per facade while it is unreachable, replayed oldest first [default: 15m]",
            CustomParser = ParseInterval,
        };
        private readonly Option<long?> _pushBufferBytes = new("--push-buffer-bytes")
        {
            HelpName = "size",
            Description = $"Bytes of the stream to keep per facade at most; past this or --push-buffer the oldest batches go. 64Mi, 64MiB, 64M (10^6) or bytes [default: {DefaultPushBufferBytesText}]",
            CustomParser = ParseByteSize,
        };
        private readonly Option<LogLevel?> _logLevel = new("--log-level")
        {
            HelpName = "level",
            Description = "Trace, Debug, Information, Warning, Error, Critical or None [default: Information]",
            CustomParser = ParseLogLevel,
        };

        public ExporterCommand()
        {
            Root = new RootCommand("KubeMonitor exporter: node, pod and container metrics from /proc and cgroups, served as Prometheus /metrics.")
            {
                _nodeName, _procRoot, _sysRoot, _cgroupRoot, _listen, _interval, _kubeconfig,
                _facadeUrls, _pushTokenFile, _pushBuffer, _pushBufferBytes, _logLevel,
            };
        }

        public ExporterOptions Read(ParseResult result, Func<string, string?> environment) => new(
            result.GetValue(_nodeName) ?? DefaultNodeName(environment),
            result.GetValue(_procRoot),
            result.GetValue(_sysRoot),
            result.GetValue(_cgroupRoot),
            result.GetValue(_listen) ?? IPEndPoint.Parse(DefaultListen),
            result.GetValue(_interval) ?? DefaultInterval,
            result.GetValue(_kubeconfig),
            result.GetValue(_logLevel) ?? LogLevel.Information)
        {
            FacadeUrls = result.GetValue(_facadeUrls) is { Length: > 0 } urls ? urls : [],
            PushTokenFile = result.GetValue(_pushTokenFile),
            PushBuffer = result.GetValue(_pushBuffer) ?? DefaultPushBuffer,
            PushBufferBytes = result.GetValue(_pushBufferBytes) ?? DefaultPushBufferBytes,
        };

        public static bool IsNodeName(string name) => Dns1123Subdomain().IsMatch(name);

        private static string DefaultNodeName(Func<string, string?> environment) =>
            environment("NODE_NAME") is { Length: > 0 } fromEnvironment
                ? fromEnvironment
                : Dns.GetHostName().ToLowerInvariant();

        [GeneratedRegex(@"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
        private static partial Regex Dns1123Subdomain();

        private static string? ParseNodeName(ArgumentResult result)
        {
            var value = Single(result);
            if (!IsNodeName(value))
            {
                result.AddError($"--node-name '{value}' is not a Kubernetes node name (a lower-case DNS-1123 subdomain).");
            }
            return value;
        }

        private static IPEndPoint? ParseListen(ArgumentResult result)
        {
            var value = Single(result);
            if (IPEndPoint.TryParse(value, out var endpoint) && endpoint.Port > 0 && HasPort(value))
            {
                return endpoint;
            }
            result.AddError($"--listen '{value}' is not address:port (e.g. {DefaultListen}, 127.0.0.1:9847 or [::]:9847).");
            return null;
        }

        // IPEndPoint.TryParse accepts a bare address with port 0; a port must be written.
        private static bool HasPort(string value) =>
            value.LastIndexOf(':') is var colon and > 0 && colon > value.LastIndexOf(']');

        private static TimeSpan? ParseInterval(ArgumentResult result)
        {
            var value = Single(result);
            if (TryParseDuration(value, out var interval) && interval > TimeSpan.Zero)
            {
                return interval;
            }
            result.AddError($"{OptionName(result)} '{value}' is not a positive duration (e.g. 5s, 500ms, 1m or 5).");
            return null;
        }

        private static long? ParseByteSize(ArgumentResult result)
        {
            var value = Single(result);
            if (TryParseByteSize(value, out var bytes))
            {
                return bytes;
            }
            result.AddError($"{OptionName(result)} '{value}' is not a positive whole number of bytes (e.g. 64Mi, 64MiB, 64M, 1Gi or 67108864).");
            return null;
        }

        /// <summary>The option a value was given to (one parser serves several).</summary>
        private static string OptionName(ArgumentResult result) => (result.Parent as OptionResult)?.Option.Name ?? "the value";

        private static Uri[] ParseFacadeUrls(ArgumentResult result)
        {
            var urls = new List<Uri>();
            foreach (var token in result.Tokens)
            {
                if (Uri.TryCreate(token.Value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
                {
                    urls.Add(url);
                }
                else
                {
                    result.AddError($"--facade-url '{token.Value}' is not an absolute http or https URL (e.g. http://127.0.0.1:8080).");
                }
            }
            return [.. urls];
        }

        private static LogLevel? ParseLogLevel(ArgumentResult result)
        {
            var value = Single(result);
            if (Enum.TryParse<LogLevel>(value, ignoreCase: true, out var level) && Enum.IsDefined(level) && !int.TryParse(value, CultureInfo.InvariantCulture, out _))
            {
                return level;
            }
            result.AddError($"--log-level '{value}' is not one of Trace, Debug, Information, Warning, Error, Critical, None.");
            return null;
        }

        private static string Single(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
    }

    /// <summary>
    /// A size as a Kubernetes quantity, the syntax of the DaemonSet's own memory limit: "64Mi"
    /// (binary, 2^20), "64M" (decimal, 10^6), "1Gi", "512Ki", plain bytes; also "64MiB" as people
    /// write it. Positive and whole only ("100m" is a tenth of a byte).
    /// </summary>
    public static bool TryParseByteSize(string text, out long bytes)
    {
        bytes = 0;
        if (text.Length == 0 || text.Any(char.IsWhiteSpace)) return false; // the parser would skip what the API server refuses
        var quantity = text.EndsWith("iB", StringComparison.Ordinal) ? text[..^1] : text;
        decimal value;
        try
        {
            value = new k8s.Models.ResourceQuantity(quantity).ToDecimal();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or InvalidOperationException)
        {
            return false;
        }
        if (value <= 0 || value != decimal.Truncate(value) || value > long.MaxValue) return false;
        bytes = (long)value;
        return true;
    }

    /// <summary>"5s", "500ms", "1m", "1h" or a plain number of seconds ("2.5").</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var (number, unitSeconds) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ when text.EndsWith('h') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value) || value * unitSeconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }
        duration = TimeSpan.FromSeconds(value * unitSeconds);
        return true;
    }
}

/// <summary>What the command line asked for: options to run with, errors to print (exit 2), or help to print (exit 0).</summary>
public sealed record ExporterOptionsParse(ExporterOptions? Options, IReadOnlyList<string> Errors, string? HelpText);

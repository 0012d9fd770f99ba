using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Kubernetes;

/// <summary>What a <see cref="ListWatch{T}"/> logs; {Kind} is the plural of what it watches ("pods", "nodes").</summary>
internal static partial class ListWatchLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Listed {Count} {Kind} ({Selector}) at resourceVersion {ResourceVersion}")]
    public static partial void Listed(ILogger logger, int count, string kind, string selector, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The list of {Kind} carried no resourceVersion: watching from the current state")]
    public static partial void NoResourceVersion(ILogger logger, string kind);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Watching {Kind} from resourceVersion {ResourceVersion}")]
    public static partial void Watching(ILogger logger, string kind, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch ended after {Events} events; watch restarted from resourceVersion {ResourceVersion}")]
    public static partial void WatchEnded(ILogger logger, int events, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Kind} {Type}: {Namespace}/{Name}")]
    public static partial void Applied(ILogger logger, string kind, WatchEventType type, string? @namespace, string? name);

    [LoggerMessage(Level = LogLevel.Information, Message = "410 Gone: resourceVersion {ResourceVersion} of {Kind} expired; relist")]
    public static partial void Relist(ILogger logger, string kind, string? resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kubernetes API unreachable ({Problem}); keeping the last known {Kind} meanwhile")]
    public static partial void Unreachable(ILogger logger, string problem, string kind);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kubernetes API still unreachable for {Kind} after {Failures} attempts ({Problem})")]
    public static partial void StillUnreachable(ILogger logger, string kind, int failures, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Next attempt for {Kind} in {Seconds:F1} s")]
    public static partial void Retrying(ILogger logger, string kind, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kubernetes API back again for {Kind} after {Failures} failed attempts")]
    public static partial void BackAgain(ILogger logger, string kind, int failures);
}

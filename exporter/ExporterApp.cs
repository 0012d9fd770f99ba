using System.Runtime.CompilerServices;
using KubeMonitor.Exporter.Cgroups;
using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Kubernetes;
using KubeMonitor.Exporter.Metrics;
using KubeMonitor.Exporter.Options;
using KubeMonitor.Exporter.Push;

namespace KubeMonitor.Exporter;

/// <summary>The exporter's web host: /metrics (text and OpenMetrics), /livez, /readyz.</summary>
public static class ExporterApp
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <summary>
    /// Parses the command line and runs until stopped. Exit codes: 0 after --help, 2 for bad
    /// arguments, 1 for any other start-up failure (a host root, the kubeconfig, the listen
    /// address in use ...), which is one line on <paramref name="stderr"/>, never a stack trace.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken stopping = default)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var parsed = ExporterOptions.Parse(args);
        if (parsed.HelpText is { } help)
        {
            await stdout.WriteAsync(help).ConfigureAwait(false);
            return 0;
        }
        if (parsed.Options is not { } options)
        {
            foreach (var error in parsed.Errors)
            {
                await stderr.WriteLineAsync($"kubemonitor-exporter: {error}").ConfigureAwait(false);
            }
            await stderr.WriteLineAsync("Try --help.").ConfigureAwait(false);
            return 2;
        }

        WebApplication? app = null;
        try
        {
            app = Build(options, HostRoot.Create(options.ProcRoot, options.SysRoot, options.CgroupRoot));
            await app.StartAsync(stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is OperationCanceledException && stopping.IsCancellationRequested))
        {
            await stderr.WriteLineAsync($"kubemonitor-exporter: {StartupFailure(e)}").ConfigureAwait(false);
            if (app is not null) await DisposeQuietlyAsync(app).ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException)
        {
            // Stopped while starting: not a failure.
            if (app is not null) await DisposeQuietlyAsync(app).ConfigureAwait(false);
            return 0;
        }
        await using (app.ConfigureAwait(false))
        {
            await app.WaitForShutdownAsync(stopping).ConfigureAwait(false);
        }
        return 0;
    }

    /// <summary>
    /// The start-up failure as one line. Expected failures (a root, the kubeconfig, the address
    /// in use, a folder that cannot be read) speak for themselves; anything else is named by its type.
    /// </summary>
    internal static string StartupFailure(Exception e)
    {
        var message = string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return e is HostRootException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException
            ? message
            : $"cannot start ({e.GetType().Name}): {message}";
    }

    private static async Task DisposeQuietlyAsync(WebApplication app)
    {
        try
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Already failing: the first failure is the one to report.
        }
    }

    /// <summary>
    /// Builds the host: node and pod collectors, the Kubernetes metadata join, the shared
    /// collection and its loop, /metrics as a sink of every collection and the push (when
    /// facades are given) as the sink of one per interval. The first collection runs at start.
    /// <paramref name="configure"/> adds services before the build: more
    /// <see cref="ICollector"/>s, <c>Action&lt;NodeSnapshot&gt;</c> post-processors that run
    /// after every collection, and <see cref="ICollectionSink"/>s.
    /// </summary>
    /// <exception cref="FileNotFoundException">--kubeconfig names a file that does not exist.</exception>
    public static WebApplication Build(ExporterOptions options, HostRoot root, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var started = new StrongBox<bool>();
        var builder = CreateBuilder(options, started);
        var layout = CgroupLayoutDetector.Detect(root);

        builder.Services
            .AddSingleton(options)
            .AddSingleton(root)
            .AddSingleton(TimeProvider.System)
            .AddNodeCollectors(root)
            .AddPodCollector(root, layout)
            .AddKubernetesMetadata(KubernetesConnectionFactory.Select(options.Kubeconfig, InClusterEnvironment.FromProcess()), options.NodeName)
            .AddCollection(options.NodeName, options.Interval)
            .AddExporterMetrics();
        if (PushOptionsOf(options) is { } push)
        {
            builder.Services.AddFacadePush(push);
        }
        configure?.Invoke(builder);

        var app = builder.Build();
        app.Lifetime.ApplicationStarted.Register(() => Volatile.Write(ref started.Value, true));
        app.Logger.LogInformation("Node {Node}: reading {Proc}, {Sys}; {Cgroups}; serving /metrics on {Listen}",
            options.NodeName, root.ProcRoot, root.SysRoot, layout.Describe(), options.Listen);
        app.MapFreshMetrics("/metrics");
        app.MapHealth();
        return app;
    }

    /// <summary>
    /// The slim web host on the --listen address, logging at --log-level. Until the host has
    /// started (<paramref name="started"/>), its own error log of a failed start (a stack trace)
    /// stays silent: RunAsync reports that failure as one line.
    /// </summary>
    private static WebApplicationBuilder CreateBuilder(ExporterOptions options, StrongBox<bool> started)
    {
        // The content root is the program's own folder, never the working directory: a user
        // that cannot read the directory it was started in (a DaemonSet's nobody in a root-only
        // workdir) made the host throw before anything else ran.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(options.LogLevel);
        // One request log per scrape is noise at Information; --log-level Debug brings it back.
        builder.Logging.AddFilter("Microsoft.AspNetCore", options.LogLevel == LogLevel.Information ? LogLevel.Warning : options.LogLevel);
        builder.Logging.AddFilter(HostCategory, level => level >= options.LogLevel && (Volatile.Read(ref started.Value) || level < LogLevel.Error));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(options.Listen));
        return builder;
    }

    /// <summary>The push settings, or null when no facade is given (the exporter then only serves /metrics).</summary>
    private static PushOptions? PushOptionsOf(ExporterOptions options) =>
        options.FacadeUrls.Count == 0
            ? null
            : new PushOptions
            {
                FacadeUrls = options.FacadeUrls,
                BearerTokenFile = options.PushTokenFile,
                Interval = options.Interval,
                BufferDuration = options.PushBuffer,
                BufferBytes = options.PushBufferBytes,
            };
}

using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Collectors;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Metrics;
using KubeMonitor.Exporter.Options;
using Prometheus;
// Prometheus has an ICollector of its own.
using ICollector = KubeMonitor.Exporter.Collection.ICollector;

namespace KubeMonitor.Exporter;

/// <summary>The exporter's web host: /metrics (text and OpenMetrics), /livez, /readyz.</summary>
public static class ExporterApp
{
    /// <summary>
    /// Parses the command line and runs until stopped. Exit codes: 0 after --help, 2 for bad
    /// arguments, 1 when a host root is missing.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken stopping = default)
    {
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
        HostRoot root;
        try
        {
            root = HostRoot.Create(options.ProcRoot, options.SysRoot, options.CgroupRoot);
        }
        catch (HostRootException e)
        {
            await stderr.WriteLineAsync($"kubemonitor-exporter: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        await using var app = Build(options, root);
        await app.RunAsync(stopping).ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// Builds the host with the node collectors; one collection has run when this returns.
    /// <paramref name="configure"/> adds services before the build: more
    /// <see cref="ICollector"/>s, and <c>Action&lt;NodeSnapshot&gt;</c> post-processors that run
    /// after every collection (the Kubernetes metadata join).
    /// </summary>
    public static WebApplication Build(ExporterOptions options, HostRoot root, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(options.LogLevel);
        // One request log per scrape is noise at Information; --log-level Debug brings it back.
        builder.Logging.AddFilter("Microsoft.AspNetCore", options.LogLevel == LogLevel.Information ? LogLevel.Warning : options.LogLevel);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(options.Listen));

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(root);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ICollector>(new NodeCpuCollector(root));
        builder.Services.AddSingleton<ICollector>(new NodeMemoryCollector(root));
        builder.Services.AddSingleton<ICollector>(new NodeDiskCollector(root));
        builder.Services.AddSingleton<ICollector>(new NodeNetworkCollector(root));
        builder.Services.AddSingleton(services => new CollectionRunner(
            options.NodeName,
            services.GetServices<ICollector>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<CollectionRunner>>(),
            services.GetServices<Action<NodeSnapshot>>()));
        builder.Services.AddSingleton(_ => Prometheus.Metrics.NewCustomRegistry());
        builder.Services.AddSingleton(services => new ExporterMetrics(services.GetRequiredService<CollectorRegistry>()));

        configure?.Invoke(builder);

        var app = builder.Build();
        var runner = app.Services.GetRequiredService<CollectionRunner>();
        var metrics = app.Services.GetRequiredService<ExporterMetrics>();

        // Every scrape shows a fresh collection (node_exporter does the same).
        metrics.Registry.AddBeforeCollectCallback(() => metrics.Publish(runner.Collect()));
        metrics.Publish(runner.Collect());
        app.Logger.LogInformation("Node {Node}: reading {Proc}, {Sys}, {Cgroup}; serving /metrics on {Listen}",
            options.NodeName, root.ProcRoot, root.SysRoot, root.CgroupRoot, options.Listen);

        app.MapMetrics("/metrics", metrics.Registry);
        app.MapGet("/livez", () => "ok");
        app.MapGet("/healthz", () => "ok");
        app.MapGet("/readyz", () => runner.Last is null
            ? Results.Text("no collection yet", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("ok"));
        return app;
    }
}

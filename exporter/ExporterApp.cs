using KubeMonitor.Exporter.Cgroups;
using KubeMonitor.Exporter.Collection;
using KubeMonitor.Exporter.Collectors;
using KubeMonitor.Exporter.Host;
using KubeMonitor.Exporter.Kubernetes;
using KubeMonitor.Exporter.Metrics;
using KubeMonitor.Exporter.Options;
using KubeMonitor.Exporter.Push;
using Prometheus;
// Prometheus has an ICollector of its own.
using ICollector = KubeMonitor.Exporter.Collection.ICollector;

namespace KubeMonitor.Exporter;

/// <summary>The exporter's web host: /metrics (text and OpenMetrics), /livez, /readyz.</summary>
public static class ExporterApp
{
    /// <summary>
    /// Parses the command line and runs until stopped. Exit codes: 0 after --help, 2 for bad
    /// arguments, 1 when a host root, the kubeconfig or another start-up setting is wrong.
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
        WebApplication app;
        try
        {
            app = Build(options, root);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidOperationException or ArgumentException)
        {
            // A kubeconfig that is not there, a bad in-cluster environment, bad push options.
            await stderr.WriteLineAsync($"kubemonitor-exporter: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        await using (app.ConfigureAwait(false))
        {
            await app.RunAsync(stopping).ConfigureAwait(false);
        }
        return 0;
    }

    /// <summary>
    /// Builds the host: node and pod collectors, the Kubernetes metadata join, the collection
    /// loop (and the push when facades are given). One collection has run when this returns.
    /// <paramref name="configure"/> adds services before the build: more
    /// <see cref="ICollector"/>s, and <c>Action&lt;NodeSnapshot&gt;</c> post-processors that run
    /// after every collection.
    /// </summary>
    /// <exception cref="FileNotFoundException">--kubeconfig names a file that does not exist.</exception>
    public static WebApplication Build(ExporterOptions options, HostRoot root, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(options.LogLevel);
        // One request log per scrape is noise at Information; --log-level Debug brings it back.
        builder.Logging.AddFilter("Microsoft.AspNetCore", options.LogLevel == LogLevel.Information ? LogLevel.Warning : options.LogLevel);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(options.Listen));

        var layout = CgroupLayoutDetector.Detect(root);
        var kubernetes = KubernetesConnectionFactory.Select(options.Kubeconfig, InClusterEnvironment.FromProcess());
        var registry = Prometheus.Metrics.NewCustomRegistry();

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(root);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ICollector>(new NodeCpuCollector(root));
        builder.Services.AddSingleton<ICollector>(new NodeMemoryCollector(root));
        builder.Services.AddSingleton<ICollector>(new NodeDiskCollector(root));
        builder.Services.AddSingleton<ICollector>(new NodeNetworkCollector(root));
        builder.Services.AddSingleton<ICollector>(new PodCollector(root, layout));
        builder.Services.AddSingleton<PodMetadataCache>();
        builder.Services.AddSingleton<Action<NodeSnapshot>>(services => services.GetRequiredService<PodMetadataCache>().Annotate);
        builder.Services.AddSingleton(services => new CollectionRunner(
            options.NodeName,
            services.GetServices<ICollector>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<CollectionRunner>>(),
            services.GetServices<Action<NodeSnapshot>>()));
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton(new ExporterMetrics(registry));
        if (options.FacadeUrls.Count > 0)
        {
            builder.Services.AddFacadePush(new PushOptions
            {
                FacadeUrls = options.FacadeUrls,
                BearerTokenFile = options.PushTokenFile,
                Interval = options.Interval,
                BufferDuration = options.PushBuffer,
            }, registry);
        }
        builder.Services.AddSingleton(services => new CollectionLoop(
            services.GetRequiredService<CollectionRunner>(),
            services.GetRequiredService<ExporterMetrics>(),
            options.Interval,
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<CollectionLoop>>(),
            services.GetService<FacadePusher>()));
        builder.Services.AddHostedService(services => services.GetRequiredService<CollectionLoop>());
        builder.Services.AddHostedService(services => new PodMetadataService(PodMetadataWatcher.Create(
            kubernetes, services.GetRequiredService<PodMetadataCache>(), options.NodeName,
            services.GetRequiredService<ILogger<PodMetadataWatcher>>())));

        configure?.Invoke(builder);

        var app = builder.Build();
        app.Logger.LogInformation("Node {Node}: reading {Proc}, {Sys}; {Cgroups}; serving /metrics on {Listen}",
            options.NodeName, root.ProcRoot, root.SysRoot, layout.Describe(), options.Listen);
        var loop = app.Services.GetRequiredService<CollectionLoop>();
        var runner = app.Services.GetRequiredService<CollectionRunner>();
        // Ready to be scraped at once: the first collection runs now, then one per interval.
        app.Services.GetRequiredService<ExporterMetrics>().Publish(runner.Collect());

        app.MapMetrics("/metrics", registry);
        app.MapGet("/livez", () => loop.IsTicking
            ? Results.Text("ok")
            : Results.Text("the collection loop has not ticked for three intervals", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/healthz", () => loop.IsTicking ? Results.Text("ok") : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/readyz", () => runner.Last is null
            ? Results.Text("no collection yet", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("ok"));
        return app;
    }
}

using KubeMonitor.Facade.Api;
using KubeMonitor.Facade.Kubernetes;
using KubeMonitor.Facade.Ingest;
using KubeMonitor.Facade.Queries;
using KubeMonitor.Facade.Sources.Prometheus;
using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Storage.Durable;
using KubeMonitor.Facade.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Prometheus;

namespace KubeMonitor.Facade;

/// <summary>The AddX()/UseX()/MapX() calls that Program.cs is a list of.</summary>
internal static class FacadeServices
{
    public static IServiceCollection AddFacadeOptions(this IServiceCollection services)
    {
        services.AddOptions<FacadeOptions>().BindConfiguration(FacadeOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FacadeOptions>, FacadeOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>
    /// The read port over the source that <c>Facade:Source</c> names, and deployment resolution
    /// (a ReplicaSet watch may replace <see cref="IReplicaSetOwnerResolver"/>).
    /// </summary>
    public static IServiceCollection AddQueries(this IServiceCollection services, IConfiguration configuration)
    {
        var source = configuration.GetValue<QuerySource?>($"{FacadeOptions.Section}:{nameof(FacadeOptions.Source)}") ?? QuerySource.Memory;
        switch (source)
        {
            case QuerySource.Memory:
                services.AddEmbeddedStore();
                break;
            case QuerySource.Prometheus:
                services.AddPrometheusSource();
                break;
            default:
                throw new OptionsValidationException(FacadeOptions.Section, typeof(FacadeOptions), [$"Facade:Source '{source}' is not one of Memory, Prometheus."]);
        }
        services.TryAddSingleton<IReplicaSetOwnerResolver, NoReplicaSetOwners>();
        services.AddSingleton<DeploymentResolver>();
        services.AddSingleton<IMetricsQueries, MetricsQueries>();
        services.AddExceptionHandler<SourceUnavailableHandler>();
        return services;
    }

    /// <summary>The embedded store: its writes (pushes), its reads (the source of the queries) and its sweep.</summary>
    private static IServiceCollection AddEmbeddedStore(this IServiceCollection services)
    {
        services.AddIngest();
        services.AddSingleton<InMemoryMetricsStore>();
        services.AddSingleton<ISampleStore>(sp => sp.GetRequiredService<InMemoryMetricsStore>());
        services.AddSingleton<ISampleSource, StoredSamples>();
        services.AddSingleton<StoreSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreSweeper>());
        services.AddDurableStore();
        return services;
    }

    /// <summary>Push reading and validation; only with the embedded store, which the pushes feed.</summary>
    private static IServiceCollection AddIngest(this IServiceCollection services)
    {
        services.AddSingleton<SampleValidator>();
        services.AddSingleton<DirectBatchReader>();
        services.AddSingleton<Ingestor>();
        return services;
    }

    /// <summary>Problem details for every error, with a detail even where the framework answers (unknown path, method not listed).</summary>
    public static IServiceCollection AddFacadeProblemDetails(this IServiceCollection services) =>
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var request = context.HttpContext.Request;
            context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
            {
                StatusCodes.Status404NotFound => $"No resource at {request.Path}.",
                StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {request.Path}.",
                StatusCodes.Status500InternalServerError => "The facade failed to answer; see its log.",
                _ => context.ProblemDetails.Title,
            };
        });

    /// <summary>The JSON of every answer: numbers that are not finite are written as null, never an exception.</summary>
    public static IServiceCollection AddFacadeJson(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new Common.FiniteNumberConverter()));

    public static IServiceCollection AddFacadeTelemetry(this IServiceCollection services) => services.AddSingleton<FacadeMetrics>().AddSingleton<IDataDirectoryMetrics, DurableStoreMetrics>();

    /// <summary>Request durations (http_request_duration_seconds) into the facade's own registry.</summary>
    public static IApplicationBuilder UseFacadeHttpMetrics(this IApplicationBuilder app)
    {
        var metrics = app.ApplicationServices.GetRequiredService<FacadeMetrics>();
        return app.UseHttpMetrics(options => options.SetMetricFactory(metrics.Factory));
    }

    public static IEndpointConventionBuilder MapFacadeMetrics(this IEndpointRouteBuilder routes) =>
        routes.MapMetrics("/metrics", routes.ServiceProvider.GetRequiredService<FacadeMetrics>().Registry).ExcludeFromDescription();
}

/// <summary>A start-up failure as one line on stderr and exit code 1.</summary>
internal static class StartupFailure
{
    public static int Explain(Exception e)
    {
        Console.Error.WriteLine($"kubemonitor-facade: cannot start: {Describe(e)}");
        return 1;
    }

    /// <summary>The messages of the exception and its causes, without stack traces.</summary>
    private static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (var cause = e; cause is not null; cause = cause.InnerException)
        {
            var message = (cause is OptionsValidationException validation ? string.Join(" ", validation.Failures) : cause.Message).ReplaceLineEndings(" ");
            if (!messages.Any(m => m.Contains(message, StringComparison.Ordinal))) messages.Add(message);
        }
        return string.Join(": ", messages);
    }
}

using KubeMonitor.Facade.Deployments;
using KubeMonitor.Facade.Kubernetes;
using KubeMonitor.Facade.Ingest;
using KubeMonitor.Facade.Storage;
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

    /// <summary>The embedded store, its sweep, and deployment resolution (a ReplicaSet watch may replace <see cref="IReplicaSetOwnerResolver"/>).</summary>
    public static IServiceCollection AddMetricsStore(this IServiceCollection services)
    {
        services.TryAddSingleton<IReplicaSetOwnerResolver, NoReplicaSetOwners>();
        services.AddSingleton<DeploymentResolver>();
        services.AddSingleton<InMemoryMetricsStore>();
        services.AddSingleton<IMetricsStore>(sp => sp.GetRequiredService<InMemoryMetricsStore>());
        services.AddSingleton<StoreSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreSweeper>());
        return services;
    }

    public static IServiceCollection AddIngest(this IServiceCollection services)
    {
        services.AddSingleton<SampleValidator>();
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

    public static IServiceCollection AddFacadeTelemetry(this IServiceCollection services) => services.AddSingleton<FacadeMetrics>();

    /// <summary>Request durations (http_request_duration_seconds) into the facade's own registry.</summary>
    public static IApplicationBuilder UseFacadeHttpMetrics(this IApplicationBuilder app)
    {
        var metrics = app.ApplicationServices.GetRequiredService<FacadeMetrics>();
        return app.UseHttpMetrics(options => options.SetMetricFactory(metrics.Factory));
    }

    public static IEndpointConventionBuilder MapFacadeMetrics(this IEndpointRouteBuilder routes) =>
        routes.MapMetrics("/metrics", routes.ServiceProvider.GetRequiredService<FacadeMetrics>().Registry).ExcludeFromDescription();
}

using System.Globalization;
using k8s;
using KubeMonitor.Facade.Kubernetes;
using KubeMonitor.Facade.Storage;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.MetricsApi;

/// <summary>
/// The one call that turns the metrics API on (when <c>Facade:MetricsApi:Url</c> is set): its
/// options, its HTTPS listener, its services, and its own pipeline for that listener's port.
/// </summary>
public static class MetricsApiSetup
{
    public static WebApplicationBuilder AddMetricsApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MetricsApiOptions>().BindConfiguration(MetricsApiOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MetricsApiOptions>, MetricsApiOptionsValidator>();
        var options = builder.Configuration.GetSection(MetricsApiOptions.Section).Get<MetricsApiOptions>() ?? new MetricsApiOptions();
        if (!options.Enabled) return builder;

        services.AddKubernetesClient(builder.Configuration);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<MetricsApiOptions>>().Value);
        services.AddSingleton(sp => KubernetesClientSetup.IsConfigured(sp.GetRequiredService<IOptions<KubernetesOptions>>().Value)
            ? new ApiServer(sp.GetRequiredService<IKubernetes>)
            : new ApiServer(null));
        services.AddSingleton(sp => new RequestHeaderCa(Get<MetricsApiOptions>(sp), () => Get<ApiServer>(sp).Client!(), Get<TimeProvider>(sp), Get<ILogger<RequestHeaderCa>>(sp)));
        services.AddSingleton<FrontProxyAuthenticator>();
        services.AddSingleton(sp => new TokenAuthenticator(Get<ApiServer>(sp).Client, Get<MetricsApiOptions>(sp), Get<TimeProvider>(sp), Get<ILogger<TokenAuthenticator>>(sp)));
        services.AddSingleton(sp => new AccessReviewer(Get<ApiServer>(sp).Client, Get<MetricsApiOptions>(sp), Get<TimeProvider>(sp), Get<ILogger<AccessReviewer>>(sp)));
        services.AddSingleton<MetricsApiAuthentication>();
        services.AddSingleton<AccessFilter>();
        // A bad URL is left to the options' validation at start, which says what is wrong with it.
        if (Uri.TryCreate(options.Url, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps)
        {
            services.AddSingleton<IStartupFilter>(new OwnPipeline(url.Port));
            MetricsListener.Add(builder, options);
        }
        return builder;
    }

    private static T Get<T>(IServiceProvider services) where T : notnull => services.GetRequiredService<T>();

    /// <summary>The Kubernetes client when an API server is configured; null otherwise (then only the request-header CA file authenticates).</summary>
    private sealed record ApiServer(Func<IKubernetes>? Client);

    /// <summary>
    /// Every request to the listener's port takes this pipeline and no other: the metrics API
    /// answers there only, and the REST API, /metrics and the health paths are not reachable
    /// through it (a 401 to strangers, a 404 Status to callers). Ahead of the facade's own
    /// pipeline, which never sees these requests.
    /// </summary>
    private sealed class OwnPipeline(int port) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.MapWhen(context => context.Connection.LocalPort == port, branch =>
            {
                branch.Use(AnswerSourceUnavailable);
                branch.UseStatusCodePages(context => context.HttpContext.Response.StatusCode == StatusCodes.Status405MethodNotAllowed
                    ? Answer.WriteAsync(context.HttpContext, KubeStatus.MethodNotAllowed(context.HttpContext.Request.Method))
                    : Task.CompletedTask);
                var authentication = branch.ApplicationServices.GetRequiredService<MetricsApiAuthentication>();
                branch.Use(authentication.InvokeAsync);
                branch.UseRouting();
                branch.UseEndpoints(endpoints => endpoints.MapMetricsApiEndpoints());
                branch.Run(context => Answer.WriteAsync(context, KubeStatus.NoSuchPath()));
            });
            next(app);
        };

        /// <summary>A backend that cannot answer is a 503 Status with Retry-After, as the REST API answers a problem.</summary>
        private static async Task AnswerSourceUnavailable(HttpContext context, RequestDelegate next)
        {
            try
            {
                await next(context);
            }
            catch (SourceUnavailableException e) when (!context.Response.HasStarted)
            {
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(e.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Answer.WriteAsync(context, KubeStatus.Unavailable(e.Message));
            }
        }
    }
}

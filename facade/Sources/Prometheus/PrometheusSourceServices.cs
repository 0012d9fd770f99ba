using System.Net;
using KubeMonitor.Facade.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace KubeMonitor.Facade.Sources.Prometheus;

public static class PrometheusSourceServices
{
    /// <summary>
    /// The Prometheus-compatible backend as the sample source (<c>Facade:Source=Prometheus</c>):
    /// its options (section <c>Facade:Prometheus</c>, checked at start), its HttpClient and
    /// <see cref="ISampleSource"/>. The client's pipeline: a total timeout of
    /// <see cref="PrometheusOptions.Timeout"/> around a retry of quick transient failures.
    /// </summary>
    public static IServiceCollection AddPrometheusSource(this IServiceCollection services)
    {
        services.AddOptions<PrometheusOptions>().BindConfiguration(PrometheusOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PrometheusOptions>, PrometheusOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PrometheusClient>();
        services.AddSingleton<ISampleSource, PrometheusSampleSource>();

        // Polly logs every attempt at Information; PrometheusClient logs each failed call once.
        services.AddLogging(logging => logging.AddFilter("Polly", LogLevel.Warning));
        services.AddHttpClient(PrometheusClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan) // the pipeline and the call's deadline time out
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // Answers of whole clusters compress well; every compatible server gzips when asked.
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .AddResilienceHandler("prometheus", (pipeline, context) =>
            {
                var timeout = context.ServiceProvider.GetRequiredService<IOptions<PrometheusOptions>>().Value.Timeout;
                // Waits on the real clock, as the call's deadline does: the injected TimeProvider is the
                // clock of the samples (a test's fake one would freeze every backoff until the deadline).
                pipeline.TimeProvider = TimeProvider.System;
                pipeline
                    .AddTimeout(new HttpTimeoutStrategyOptions { Timeout = timeout, Name = "total" })
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = 2,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = TimeSpan.FromMilliseconds(200),
                        ShouldRetryAfterHeader = false,
                        ShouldHandle = args => ValueTask.FromResult(IsRetried(args.Outcome)),
                    });
            });
        return services;
    }

    /// <summary>
    /// Transient failures (network errors, 5xx) are tried again; not 429 nor an answer with
    /// Retry-After: the backend said when, and the API passes that on instead of waiting here.
    /// </summary>
    internal static bool IsRetried(Outcome<HttpResponseMessage> outcome) =>
        HttpClientResiliencePredicates.IsTransient(outcome)
        && outcome.Result is not { StatusCode: HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout }
        && outcome.Result?.Headers.RetryAfter is null;
}

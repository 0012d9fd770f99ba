using System.Net;
using KubeMonitor.Exporter.Push;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Prometheus;

namespace Microsoft.Extensions.DependencyInjection;

public static class PushServiceCollectionExtensions
{
    /// <summary>
    /// The library's transient outcomes (network errors, timeouts, 408, 429, 5xx) but 408: every
    /// 4xx other than 429 is final (<see cref="FacadeClient.IsPermanent"/>).
    /// </summary>
    internal static bool IsRetried(Outcome<HttpResponseMessage> outcome) =>
        HttpClientResiliencePredicates.IsTransient(outcome) && outcome.Result?.StatusCode != System.Net.HttpStatusCode.RequestTimeout;

    /// <summary>
    /// Registers <see cref="FacadePusher"/> as the sink of each interval's collection, and its
    /// HttpClient. Its counters go to the registered <see cref="CollectorRegistry"/>. The client's
    /// pipeline is chosen per authority (one per facade address), so one dead facade opens only
    /// its own circuit: total timeout, then retry (exponential back-off with jitter on network
    /// errors, timeouts, 429 and 5xx, honouring Retry-After), circuit breaker, attempt timeout.
    /// </summary>
    public static IServiceCollection AddFacadePush(this IServiceCollection services, PushOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        services.AddSingleton(options);
        services.AddSingleton(sp => new PushMetrics(sp.GetRequiredService<CollectorRegistry>()));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IFacadeResolver, DnsFacadeResolver>();
        services.AddSingleton<FacadeClient>();
        services.AddSingleton(sp => new FacadePusher(
            options,
            sp.GetRequiredService<PushMetrics>(),
            sp.GetRequiredService<FacadeClient>(),
            sp.GetRequiredService<IFacadeResolver>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<FacadePusher>>()));
        services.AddIntervalSink<FacadePusher>();

        // One push per interval per facade: the client's per-request Information logs and
        // Polly's per-attempt ones would flood the log; FacadeClient logs each outage once.
        services.AddLogging(logging => logging.AddFilter("Polly", LogLevel.Warning));
        services.AddHttpClient(FacadeClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan) // the pipeline times out
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A redirected POST would turn into a GET; a facade never redirects a push.
                AllowAutoRedirect = false,
                ConnectTimeout = options.AttemptTimeout,
                AutomaticDecompression = DecompressionMethods.None,
            })
            .AddResilienceHandler("push", (pipeline, context) =>
            {
                var metrics = context.ServiceProvider.GetRequiredService<PushMetrics>();
                pipeline
                    .AddTimeout(new HttpTimeoutStrategyOptions { Timeout = options.TotalTimeout, Name = "total" })
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = Math.Max(1, options.MaxRetryAttempts),
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = options.RetryBaseDelay,
                        ShouldHandle = options.MaxRetryAttempts == 0
                            ? _ => PredicateResult.False()
                            : args => ValueTask.FromResult(IsRetried(args.Outcome)),
                        OnRetry = args =>
                        {
                            if (args.Context.GetRequestMessage()?.Options.TryGetValue(FacadeClient.TargetLabel, out var target) == true)
                            {
                                metrics.Retried(target);
                            }
                            return ValueTask.CompletedTask;
                        },
                    })
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        // At one batch per interval the library default (100 calls in 30 s) never trips.
                        FailureRatio = 0.5,
                        MinimumThroughput = 4,
                        SamplingDuration = Max(TimeSpan.FromSeconds(30), options.AttemptTimeout * 2),
                        BreakDuration = options.CircuitBreakDuration,
                    })
                    .AddTimeout(new HttpTimeoutStrategyOptions { Timeout = options.AttemptTimeout, Name = "attempt" });
            })
            .SelectPipelineByAuthority();
        return services;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

using System.Collections.Concurrent;
using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Sources.Prometheus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Facade.Tests.Prometheus;

/// <summary>
/// A Prometheus source built the way the facade builds it (<c>AddPrometheusSource</c> over
/// configuration), with its log lines kept for assertions.
/// </summary>
internal sealed class SourceHost : IDisposable
{
    private readonly ServiceProvider _services;

    /// <param name="clock">The facade's clock (the system's when null).</param>
    public SourceHost(IDictionary<string, string?> settings, TimeProvider? clock = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        if (clock is not null) services.AddSingleton(clock);
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(Log));
        services.AddFacadeOptions();
        services.AddPrometheusSource();
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public CollectedLog Log { get; } = new();

    public ISampleSource Source => _services.GetRequiredService<ISampleSource>();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public void Dispose() => _services.Dispose();
}

/// <summary>Every log line of the source's own categories (the HTTP client's are removed by the registration).</summary>
internal sealed class CollectedLog : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Lines { get; } = new();

    public IEnumerable<(LogLevel Level, string Message)> Of(string categoryPrefix) =>
        Lines.Where(l => l.Category.StartsWith(categoryPrefix, StringComparison.Ordinal)).Select(l => (l.Level, l.Message));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CollectedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log.Lines.Enqueue((logLevel, category, formatter(state, exception)));
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Text;
using KubeMonitor.Facade.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Facade.Tests.Auth;

/// <summary>
/// A minimal app, independent of the real Program: one /api group with RequirePushCredential(),
/// two POSTs (node and batch) that record every call that reaches them, and a GET. The test
/// server has no peer address; a request's <see cref="RemoteAddressHeader"/> plays it.
/// </summary>
internal sealed class AuthTestHost : IAsyncDisposable
{
    public const string RemoteAddressHeader = "X-Test-Remote-Address";

    private readonly WebApplication app;

    private AuthTestHost(WebApplication app, ConcurrentQueue<string> stored, CollectingLoggerProvider logs)
    {
        this.app = app;
        Stored = stored;
        Logs = logs;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    /// <summary>Node names of the pushes that reached the handler.</summary>
    public ConcurrentQueue<string> Stored { get; }

    public CollectingLoggerProvider Logs { get; }

    public static async Task<AuthTestHost> StartAsync(IDictionary<string, string?> settings, TimeProvider? clock = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(settings);
        if (clock is not null) builder.Services.AddSingleton(clock);
        var logs = new CollectingLoggerProvider();
        // Every line a request makes, request logs included: the facade's appsettings.json (copied
        // here with it) quiets Microsoft.AspNetCore, and the secret must not be in those either.
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug).AddFilter("Microsoft.AspNetCore", LogLevel.Debug);
        builder.Services.AddPushAuthentication(builder.Configuration);

        var app = builder.Build();
        app.Use((context, next) =>
        {
            if (context.Request.Headers.TryGetValue(RemoteAddressHeader, out var remote)) context.Connection.RemoteIpAddress = IPAddress.Parse(remote!);
            return next(context);
        });
        var stored = new ConcurrentQueue<string>();
        var api = app.MapGroup("/api").RequirePushCredential();
        api.MapPost("/nodes/{node}", (string node) =>
        {
            stored.Enqueue(node);
            return TypedResults.Accepted((string?)null);
        });
        api.MapPost("/nodes/{node}/batch", (string node) =>
        {
            stored.Enqueue(node + "/batch");
            return TypedResults.Accepted((string?)null);
        });
        api.MapGet("/nodes/{node}", (string node) => TypedResults.Ok(new { node }));
        api.MapGet("/nodes", () => TypedResults.Ok(new { items = stored.ToArray() }));
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new AuthTestHost(app, stored, logs);
    }

    public Task<HttpResponseMessage> PushAsync(string? token, string node = "node-1", string? from = null) =>
        SendFromAsync(from, HttpMethod.Post, "/api/nodes/" + node, token is null ? [] : ["Bearer " + token]);

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, params string[] authorization) =>
        SendFromAsync(null, method, path, authorization);

    /// <summary>A request as if from the client address <paramref name="from"/> (none when null).</summary>
    public async Task<HttpResponseMessage> SendFromAsync(string? from, HttpMethod method, string path, params string[] authorization)
    {
        using var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post) request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        foreach (var value in authorization) request.Headers.TryAddWithoutValidation("Authorization", value);
        if (from is not null) request.Headers.Add(RemoteAddressHeader, from);
        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.DisposeAsync();
    }
}

/// <summary>Keeps every log line, so tests can check what was (and was not) printed.</summary>
internal sealed class CollectingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> lines = new();

    public IReadOnlyCollection<(LogLevel Level, string Message)> Lines => lines;

    public ILogger CreateLogger(string categoryName) => new Logger(lines);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<(LogLevel, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception)));
    }
}

internal static class ProblemAssert
{
    /// <summary>Asserts an RFC 9457 problem with the given status, and returns its detail.</summary>
    public static async Task<string> IsProblem(HttpResponseMessage response, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(status, root.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("title").GetString()));
        var detail = root.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrEmpty(detail));
        return detail!;
    }
}

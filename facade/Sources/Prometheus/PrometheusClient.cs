using System.Net;
using System.Text.Json;
using KubeMonitor.Facade.Auth;
using KubeMonitor.Facade.Storage;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace KubeMonitor.Facade.Sources.Prometheus;

/// <summary>
/// Sends instant queries to <c>{Url}/api/v1/query</c> (POST, form body: selectors can be long)
/// with the configured headers and bearer token, and reads the answer as it arrives. Every
/// failure becomes a <see cref="SourceUnavailableException"/> naming the backend and what went
/// wrong, logged once.
/// </summary>
internal sealed class PrometheusClient
{
    public const string HttpClientName = "KubeMonitor.Prometheus";

    /// <summary>How long a client is told to wait when the backend did not say.</summary>
    internal static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(5);

    private const int ErrorBodyBytes = 4096;

    private readonly IHttpClientFactory _httpClients;
    private readonly PrometheusOptions _options;
    private readonly ILogger<PrometheusClient> _logger;
    private readonly TimeProvider _clock;
    private readonly Uri _queryUrl;
    private readonly TokenFile? _token;

    public PrometheusClient(IHttpClientFactory httpClients, IOptions<PrometheusOptions> options, ILogger<PrometheusClient> logger, TimeProvider clock)
    {
        _httpClients = httpClients;
        _options = options.Value;
        _logger = logger;
        _clock = clock;
        Backend = new Uri(_options.Url!, UriKind.Absolute).GetLeftPart(UriPartial.Path).TrimEnd('/');
        _queryUrl = new Uri(Backend + "/api/v1/query");
        _token = _options.BearerTokenFile is { } path ? new TokenFile(path) : null;
    }

    /// <summary>The backend's URL as messages show it.</summary>
    public string Backend { get; }

    /// <summary>Starts a request's deadline: the configured timeout, or a shorter one (a readiness probe).</summary>
    public BackendCall Start(CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        new(timeout is { } t && t < _options.Timeout ? t : _options.Timeout, cancellationToken);

    /// <summary>Evaluates <paramref name="query"/> at <paramref name="timeMs"/> and hands each series of the answer to <paramref name="onSeries"/>.</summary>
    /// <exception cref="SourceUnavailableException">The backend is unreachable, slow, refusing, or answered something unreadable.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    /// <param name="labelPrefix">Also keep every label whose name starts with this.</param>
    public async Task QueryAsync(BackendCall call, string query, long timeMs, IReadOnlySet<string> labels, Action<RawSeries> onSeries, string? labelPrefix = null)
    {
        try
        {
            using var request = Request(query, timeMs);
            using var response = await _httpClients.CreateClient(HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, call.Token);
            if (!response.IsSuccessStatusCode) throw await Refused(response, query, call.Token);

            var parser = new QueryAnswerParser(labels, onSeries, labelPrefix);
            await using (var body = await response.Content.ReadAsStreamAsync(call.Token))
            {
                await QueryAnswerReader.ReadAsync(body, parser, call.Token);
            }
            if (parser.Status != "success")
            {
                throw Unavailable($"answered status {parser.Status ?? "(none)"}{Reason(parser.ErrorType, parser.Error)}", DefaultRetryAfter);
            }
        }
        catch (OperationCanceledException) when (call.Caller.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutRejectedException)
        {
            throw Unavailable($"did not answer within {call.Timeout.TotalSeconds:0.###} s", DefaultRetryAfter, e);
        }
        catch (HttpRequestException e)
        {
            throw Unavailable($"cannot be reached: {e.Message}", DefaultRetryAfter, e);
        }
        catch (IOException e)
        {
            throw Unavailable($"broke off its answer: {e.Message}", DefaultRetryAfter, e);
        }
        catch (JsonException e)
        {
            throw Unavailable($"answered JSON that is not a query answer: {e.Message}", DefaultRetryAfter, e);
        }
    }

    private HttpRequestMessage Request(string query, long timeMs)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _queryUrl)
        {
            Content = new FormUrlEncodedContent([new("query", query), new("time", PromQl.Time(timeMs))]),
        };
        foreach (var (name, value) in _options.Headers) request.Headers.TryAddWithoutValidation(name, value);
        if (_token?.Read() is { } token) request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
        return request;
    }

    /// <summary>A non-2xx answer: 429 and 5xx say the backend is busy or down; another 4xx is a query the facade should not have sent.</summary>
    private async Task<SourceUnavailableException> Refused(HttpResponseMessage response, string query, CancellationToken cancellationToken)
    {
        var (errorType, error) = await ErrorOf(response, cancellationToken);
        var status = (int)response.StatusCode;
        var what = $"answered {status} {response.ReasonPhrase}{Reason(errorType, error)}";
        if (status is >= 400 and < 500 and not 429)
        {
            _logger.LogError("Prometheus at {Backend} refused a query: {What}. Query: {Query}", Backend, what, query);
            return new SourceUnavailableException(Message(what), DefaultRetryAfter);
        }
        return Unavailable(what, RetryAfterOf(response));
    }

    private TimeSpan RetryAfterOf(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        var wait = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - _clock.GetUtcNow() : DefaultRetryAfter);
        return wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait;
    }

    /// <summary>The error a Prometheus error answer carries (<c>{"status":"error","errorType":...,"error":...}</c>), from its first few KiB.</summary>
    private static async Task<(string? Type, string? Error)> ErrorOf(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[ErrorBodyBytes];
            var filled = 0;
            int read;
            while (filled < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0) filled += read;
            using var json = JsonDocument.Parse(buffer.AsMemory(0, filled));
            var root = json.RootElement;
            return (String(root, "errorType"), String(root, "error"));
        }
        catch (Exception e) when (e is JsonException or IOException or HttpRequestException)
        {
            return (null, null);
        }

        static string? String(JsonElement root, string name) =>
            root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    private static string Reason(string? errorType, string? error)
    {
        if (error is null) return errorType is null ? "" : $" ({errorType})";
        var shown = error.Length > 300 ? error[..300] + "..." : error;
        return errorType is null ? $": {shown}" : $" ({errorType}): {shown}";
    }

    private string Message(string what) => $"Prometheus at {Backend} {what}.";

    private SourceUnavailableException Unavailable(string what, TimeSpan retryAfter, Exception? inner = null)
    {
        var message = Message(what);
        _logger.LogWarning("{Message}", message);
        return new SourceUnavailableException(message, retryAfter, inner);
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace KubeMonitor.Exporter.Push;

/// <summary>
/// Sends one batch to one endpoint through the named client whose resilience pipeline
/// (<see cref="PushServiceCollectionExtensions"/>) retries with back-off, breaks the circuit
/// and times out per endpoint. Here the final answer is classified; nothing is retried here.
/// </summary>
internal sealed class FacadeClient(
    IHttpClientFactory httpClientFactory,
    PushOptions options,
    PushMetrics metrics,
    TimeProvider time,
    ILogger<FacadeClient> logger)
{
    public const string HttpClientName = "kubemonitor-push";

    /// <summary>Carries the endpoint's metric label to the pipeline's retry callback.</summary>
    internal static readonly HttpRequestOptionsKey<string> TargetLabel = new("kubemonitor.push.target");

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly BearerTokenSource? _token =
        options.BearerTokenFile is { } file ? new BearerTokenSource(file, time) : null;

    public async Task<SendOutcome> SendAsync(FacadeEndpoint endpoint, PendingBatch batch, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, BatchUri(endpoint.BaseAddress, batch.Node));
        request.Content = new SentAtContent(batch.Json, time) { Headers = { ContentType = Json } };
        request.Options.Set(TargetLabel, endpoint.Label);
        if (endpoint.HostHeader is not null) request.Headers.Host = endpoint.HostHeader;
        if (_token is not null)
        {
            try
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token.Current());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Without the credential the facade would reject the batch for good; keep it
                // buffered until the Secret is there.
                return Failed(endpoint, $"cannot read the bearer token: {e.Message}", null);
            }
        }

        var started = time.GetTimestamp();
        try
        {
            var client = httpClientFactory.CreateClient(HttpClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                metrics.ObserveDuration(endpoint.Label, time.GetElapsedTime(started));
                if (endpoint.Failing)
                {
                    endpoint.Failing = false;
                    logger.LogInformation("Facade {Target} answers again; replaying its buffered batches", endpoint.Label);
                }
                return SendOutcome.Sent;
            }
            if (IsPermanent(response.StatusCode))
            {
                var detail = await ReadDetailAsync(response, cancellationToken).ConfigureAwait(false);
                var hint = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                    ? " (check --push-token-file against the facade's push authentication)"
                    : "";
                logger.LogWarning(
                    "Facade {Target} rejected the batch of {Node} at {Timestamp:O} with {Status}: {Detail}; it is dropped{Hint}",
                    endpoint.Label, batch.Node, batch.Timestamp, status, detail, hint);
                return SendOutcome.Rejected;
            }
            return Failed(endpoint, $"HTTP {status}", null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Network errors, timeouts and an open circuit, but also anything unforeseen: the
            // batch stays buffered and this endpoint's worker lives on.
            return Failed(endpoint, e.Message, e);
        }
    }

    /// <summary>
    /// Every 4xx but 429 (push contract, issue 4): the facade refused this batch (400, 404, 413,
    /// 415, 422 ...) or this exporter (401, 403), and the same request will not fare better.
    /// 429 asks to come back later.
    /// </summary>
    internal static bool IsPermanent(HttpStatusCode status) =>
        (int)status is >= 400 and < 500 && status != HttpStatusCode.TooManyRequests;

    internal static Uri BatchUri(Uri baseAddress, string node)
    {
        var builder = new UriBuilder(baseAddress);
        builder.Path = builder.Path.TrimEnd('/') + "/api/nodes/" + Uri.EscapeDataString(node) + "/batch";
        return builder.Uri;
    }

    private SendOutcome Failed(FacadeEndpoint endpoint, string reason, Exception? exception)
    {
        if (!endpoint.Failing)
        {
            endpoint.Failing = true;
            logger.LogWarning(exception, "Push to facade {Target} failed ({Reason}); batches are buffered and replayed oldest first", endpoint.Label, reason);
        }
        else
        {
            logger.LogDebug("Push to facade {Target} still failing ({Reason}); {Buffered} batches buffered", endpoint.Label, reason, endpoint.Buffered);
        }
        return SendOutcome.Failed;
    }

    private static async Task<string> ReadDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        const int MaxChars = 512;
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return body.Length > MaxChars ? body[..MaxChars] + "..." : body;
        }
        catch (HttpRequestException)
        {
            return "(no body)";
        }
    }
}

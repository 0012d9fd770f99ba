using System.Text.Json.Serialization.Metadata;
using KubeMonitor.Contracts;
using KubeMonitor.Facade.Auth;
using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Ingest;

/// <summary>
/// What a successful push did (the answer of a 202). <c>seriesRefused</c>: new series left out
/// because the store is at its global cap (the push's other series were stored);
/// <c>clockOffsetSeconds</c>: how far its timestamps were shifted to the facade's clock (the
/// sender's clock offset from <c>sentAt</c>, docs/api.md section 1; 0 when not shifted).
/// </summary>
public sealed record PushResult(int Stored, int Duplicates, int OutOfOrder, int TooOld, int SeriesRefused, double ClockOffsetSeconds);

/// <summary>
/// The push endpoints of docs/api.md section 2. They form one route group, returned to Program.cs,
/// where push authentication is added as an endpoint filter on the whole group.
/// </summary>
internal static class IngestApi
{
    public static RouteGroupBuilder MapIngest(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Ingest");
        // Facade:Source=Prometheus: the samples are the backend's, nothing here takes them (nor is there an Ingestor).
        var takesPushes = routes.ServiceProvider.GetService<ISampleStore>() is not null;
        Delegate Handler(Delegate push) => takesPushes ? push : NoPushes;
        if (takesPushes && routes.ServiceProvider.GetRequiredService<IOptions<FacadeOptions>>().Value.PushPort is { } pushPort)
        {
            group.AddEndpointFilter((context, next) => OnPushPortOnly(pushPort, context, next));
        }
        group.MapPost("/nodes/{node}", Handler(PushNode))
            .Accepts<NodeSample>("application/json").WithSummary("Push one node sample.");
        group.MapPost("/pods/{pod}", Handler(PushPod))
            .Accepts<PodSample>("application/json").WithSummary("Push one pod sample (namespace required).");
        group.MapPost("/nodes/{node}/batch", Handler(PushBatch))
            .Accepts<Batch>("application/json").WithSummary("Push a node and all its pods in one request.");
        return group;
    }

    private static ProblemHttpResult NoPushes() => Problems.NotFound(
        "This facade reads its samples from a Prometheus-compatible server (Facade:Source=Prometheus) and takes no pushes; let Prometheus scrape the exporters' /metrics.");

    /// <summary>
    /// With <c>Facade:PushPort</c> set (read once, at mapping), pushes are taken only on connections
    /// to that port, so a NetworkPolicy can admit it from exporter pods alone while reads stay open.
    /// </summary>
    private static ValueTask<object?> OnPushPortOnly(int pushPort, EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var localPort = context.HttpContext.Connection.LocalPort;
        return localPort == pushPort
            ? next(context)
            : ValueTask.FromResult<object?>(Problems.NotFound($"Pushes are taken on port {pushPort} only (Facade:PushPort), not on port {localPort}."));
    }

    public static Task<Results<Accepted<PushResult>, ProblemHttpResult>> PushNode(string node, HttpRequest request, Ingestor ingest) =>
        ingest.PushAsync(request, ContractJson.Default.NodeSample, (validator, sample) => validator.Node(node, sample));

    public static Task<Results<Accepted<PushResult>, ProblemHttpResult>> PushPod(string pod, HttpRequest request, Ingestor ingest) =>
        ingest.PushAsync(request, ContractJson.Default.PodSample, (validator, sample) => validator.Pod(pod, sample));

    public static Task<Results<Accepted<PushResult>, ProblemHttpResult>> PushBatch(string node, HttpRequest request, Ingestor ingest, DirectBatchReader direct) =>
        ingest.PushAsync(request, ContractJson.Default.Batch, (validator, batch) => validator.Batch(node, batch), body => direct.TryRead(node, body));
}

/// <summary>A push body read straight into the store's batch, or null to read it the general way.</summary>
internal delegate IngestBatch? DirectRead(ReadOnlySpan<byte> body);

/// <summary>One push, start to end: read, validate whole, store all or nothing (new series past the global cap aside), count.</summary>
internal sealed class Ingestor(SampleValidator validator, ISampleStore store, FacadeMetrics metrics, IOptions<FacadeOptions> options)
{
    public async Task<Results<Accepted<PushResult>, ProblemHttpResult>> PushAsync<T>(
        HttpRequest request, JsonTypeInfo<T> type, Func<SampleValidator, T, IngestBatch> validate, DirectRead? direct = null)
        where T : class
    {
        using var body = await JsonBody.ReadAsync(request, options.Value.MaxRequestBodyBytes, request.HttpContext.RequestAborted);
        if (body.Problem is not null) return Reject(body.Problem, body.RejectReason!);

        if (direct?.Invoke(body.Span) is not { } batch)
        {
            var parsed = JsonBody.Parse(body.Span, type);
            if (parsed.Problem is not null) return Reject(parsed.Problem, parsed.RejectReason!);
            try
            {
                batch = validate(validator, parsed.Value!);
            }
            catch (SampleException e)
            {
                return Reject(Problems.BadRequest(e.Message), "invalid");
            }
        }
        // A credential bound to a node (docs/api.md section 2) may not name another in the body.
        if (NodeBinding.Check(request.HttpContext, ref batch) is { } forbidden) return Reject(forbidden, "wrong_node");

        var outcome = store.Store(batch);
        switch (outcome.Refusal)
        {
            case StoreRefusal.NodeQuota:
                RetryAfter(request);
                return Reject(Problems.TooManySeries(
                    $"Node '{outcome.RefusedNode}' would hold more than {options.Value.MaxSeriesPerNode} series (Facade:MaxSeriesPerNode); nothing of this push was stored. Other nodes are not affected."),
                    "node_quota");
            case StoreRefusal.SeriesCap:
                RetryAfter(request);
                return Reject(Problems.TooManySeries(
                    $"The store holds its cap of {options.Value.MaxSeries} series and every series of this push is new; nothing of it was stored."),
                    "series_cap");
            case StoreRefusal.Unavailable:
                RetryAfter(request);
                return Reject(Problems.StoreUnavailable(outcome.Detail!), "store_unavailable");
        }

        if (batch.Node is not null) metrics.SamplesReceived.WithLabels("node").Inc();
        if (batch.Pods.Count > 0) metrics.SamplesReceived.WithLabels("pod").Inc(batch.Pods.Count);
        metrics.SamplesDropped.WithLabels("duplicate").Inc(outcome.Duplicates);
        metrics.SamplesDropped.WithLabels("out_of_order").Inc(outcome.OutOfOrder);
        metrics.SamplesDropped.WithLabels("too_old").Inc(outcome.TooOld);
        metrics.SeriesRefused.Inc(outcome.SeriesRefused);
        if (batch.ClockOffsetMs != 0) metrics.ClockShiftedPushes.Inc();
        return TypedResults.Accepted((string?)null, new PushResult(
            outcome.Stored, outcome.Duplicates, outcome.OutOfOrder, outcome.TooOld, outcome.SeriesRefused, batch.ClockOffsetMs / 1000.0));
    }

    /// <summary>Room comes back when the sweep frees stale series, which runs every SweepInterval.</summary>
    private void RetryAfter(HttpRequest request) =>
        request.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(options.Value.SweepInterval.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private ProblemHttpResult Reject(ProblemHttpResult problem, string reason)
    {
        metrics.PushesRejected.WithLabels(reason).Inc();
        return problem;
    }
}

using System.Text.Json.Serialization.Metadata;
using KubeMonitor.Contracts;
using KubeMonitor.Facade.Auth;
using KubeMonitor.Facade.Common;
using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Ingest;

/// <summary>What a successful push did (the answer of a 202).</summary>
public sealed record PushResult(int Stored, int Duplicates, int OutOfOrder, int TooOld);

/// <summary>
/// The push endpoints of docs/api.md section 2. They form one route group, returned to Program.cs,
/// where push authentication is added as an endpoint filter on the whole group.
/// </summary>
internal static class IngestApi
{
    public static RouteGroupBuilder MapIngest(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api").WithTags("Ingest");
        group.MapPost("/nodes/{node}", PushNode)
            .Accepts<NodeSample>("application/json").WithSummary("Push one node sample.");
        group.MapPost("/pods/{pod}", PushPod)
            .Accepts<PodSample>("application/json").WithSummary("Push one pod sample (namespace required).");
        group.MapPost("/nodes/{node}/batch", PushBatch)
            .Accepts<Batch>("application/json").WithSummary("Push a node and all its pods in one request.");
        return group;
    }

    public static Task<Results<Accepted<PushResult>, ProblemHttpResult>> PushNode(string node, HttpRequest request, Ingestor ingest) =>
        ingest.PushAsync(request, ContractJson.Default.NodeSample, (validator, sample) => validator.Node(node, sample));

    public static Task<Results<Accepted<PushResult>, ProblemHttpResult>> PushPod(string pod, HttpRequest request, Ingestor ingest) =>
        ingest.PushAsync(request, ContractJson.Default.PodSample, (validator, sample) => validator.Pod(pod, sample));

    public static Task<Results<Accepted<PushResult>, ProblemHttpResult>> PushBatch(string node, HttpRequest request, Ingestor ingest) =>
        ingest.PushAsync(request, ContractJson.Default.Batch, (validator, batch) => validator.Batch(node, batch));
}

/// <summary>One push, start to end: read, validate whole, store all or nothing, count.</summary>
internal sealed class Ingestor(SampleValidator validator, IMetricsStore store, FacadeMetrics metrics, IOptions<FacadeOptions> options)
{
    public async Task<Results<Accepted<PushResult>, ProblemHttpResult>> PushAsync<T>(
        HttpRequest request, JsonTypeInfo<T> type, Func<SampleValidator, T, IngestBatch> validate)
        where T : class
    {
        var body = await JsonBody.ReadAsync(request, type, options.Value.MaxRequestBodyBytes, request.HttpContext.RequestAborted);
        if (body.Problem is not null) return Reject(body.Problem, body.RejectReason!);

        IngestBatch batch;
        try
        {
            batch = validate(validator, body.Value!);
        }
        catch (SampleException e)
        {
            return Reject(Problems.BadRequest(e.Message), "invalid");
        }
        // A credential bound to a node (docs/api.md section 2) may not name another in the body.
        if (NodeBinding.Check(request.HttpContext, ref batch) is { } forbidden) return Reject(forbidden, "wrong_node");

        var outcome = store.Store(batch);
        if (outcome.SeriesCapExceeded)
        {
            return Reject(Problems.TooManySeries($"Storing this push would pass the cap of {options.Value.MaxSeries} series; nothing of it was stored."), "series_cap");
        }

        if (batch.Node is not null) metrics.SamplesReceived.WithLabels("node").Inc();
        if (batch.Pods.Count > 0) metrics.SamplesReceived.WithLabels("pod").Inc(batch.Pods.Count);
        metrics.SamplesDropped.WithLabels("duplicate").Inc(outcome.Duplicates);
        metrics.SamplesDropped.WithLabels("out_of_order").Inc(outcome.OutOfOrder);
        metrics.SamplesDropped.WithLabels("too_old").Inc(outcome.TooOld);
        return TypedResults.Accepted((string?)null, new PushResult(outcome.Stored, outcome.Duplicates, outcome.OutOfOrder, outcome.TooOld));
    }

    private ProblemHttpResult Reject(ProblemHttpResult problem, string reason)
    {
        metrics.PushesRejected.WithLabels(reason).Inc();
        return problem;
    }
}

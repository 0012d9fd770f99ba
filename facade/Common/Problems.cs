using Microsoft.AspNetCore.Http.HttpResults;

namespace KubeMonitor.Facade.Common;

/// <summary>The facade's error answers: application/problem+json (RFC 9457) with status, title and detail.</summary>
internal static class Problems
{
    public static ProblemHttpResult BadRequest(string detail) => Make(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static ProblemHttpResult NotFound(string detail) => Make(StatusCodes.Status404NotFound, "Not found", detail);

    public static ProblemHttpResult TooLarge(string detail) => Make(StatusCodes.Status413PayloadTooLarge, "Request body too large", detail);

    public static ProblemHttpResult UnsupportedMediaType(string detail) => Make(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", detail);

    public static ProblemHttpResult TooManySeries(string detail) => Make(StatusCodes.Status429TooManyRequests, "Too many series", detail);

    /// <summary>The embedded store takes no push now (loading, or its disk refuses writes); nothing was stored, send it again later.</summary>
    public static ProblemHttpResult StoreUnavailable(string detail) => Make(StatusCodes.Status503ServiceUnavailable, "Store unavailable", detail);

    /// <summary>The query source cannot answer now; the caller may retry after the Retry-After header.</summary>
    public static ProblemHttpResult SourceUnavailable(string detail) => Make(StatusCodes.Status503ServiceUnavailable, "Query source unavailable", detail);

    /// <summary>A pod name found in several namespaces; the problem lists them so the caller can pick one.</summary>
    public static ProblemHttpResult AmbiguousPod(string pod, IReadOnlyList<string> namespaces) =>
        TypedResults.Problem(
            $"Pod '{pod}' exists in {namespaces.Count} namespaces; add ?namespace= to pick one.",
            statusCode: StatusCodes.Status409Conflict,
            title: "Ambiguous pod name",
            extensions: new Dictionary<string, object?> { ["namespaces"] = namespaces });

    private static ProblemHttpResult Make(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title);
}

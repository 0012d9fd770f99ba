using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KubeMonitor.TestSupport;

namespace KubeMonitor.Facade.Tests;

/// <summary>
/// The OpenAPI document the facade serves and docs/api.md describe the same REST API: every
/// operation (method and path) of one is in the other, path parameters spelled alike. A route
/// added without its documentation, or documented and never built, fails here.
/// </summary>
public sealed partial class OpenApiDocumentTests : IDisposable
{
    private static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];

    private readonly FacadeFactory _facade = new();

    public void Dispose() => _facade.Dispose();

    [Fact]
    public async Task Every_OpenApi_operation_is_in_the_api_document()
    {
        var served = await ServedOperations();
        var documented = DocumentedOperations();
        Assert.NotEmpty(served);
        var missing = served.Except(documented).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "In /openapi/v1.json but not in docs/api.md: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Every_operation_of_the_api_document_is_in_OpenApi()
    {
        var served = await ServedOperations();
        var documented = DocumentedOperations();
        Assert.NotEmpty(documented);
        var missing = documented.Except(served).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "In docs/api.md but not in /openapi/v1.json: " + string.Join(", ", missing));
    }

    /// <summary>"GET /api/nodes/{node}" for every method of every path of the served document.</summary>
    private async Task<HashSet<string>> ServedOperations()
    {
        var document = await _facade.GetJsonAsync("/openapi/v1.json");
        return document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => op.Key).Where(Methods.Contains)
                .Select(method => method.ToUpperInvariant() + " " + path.Key))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Every "GET /api/..." or "POST /api/..." docs/api.md writes, without its query.</summary>
    private static HashSet<string> DocumentedOperations() =>
        Operation().Matches(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "api.md")))
            .Select(m => m.Groups[1].Value + " " + m.Groups[2].Value)
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"\b(GET|POST|PUT|PATCH|DELETE) (/api(?:/[^\s`?|)]*)?)")]
    private static partial Regex Operation();
}

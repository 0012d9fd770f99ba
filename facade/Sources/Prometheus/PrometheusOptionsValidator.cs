using Microsoft.Extensions.Options;

namespace KubeMonitor.Facade.Sources.Prometheus;

/// <summary>Refuses to start on Prometheus settings that cannot work, saying which one and why.</summary>
internal sealed class PrometheusOptionsValidator : IValidateOptions<PrometheusOptions>
{
    private const string S = PrometheusOptions.Section;

    public ValidateOptionsResult Validate(string? name, PrometheusOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Url))
        {
            errors.Add($"{S}:Url is required when Facade:Source is Prometheus (for example http://prometheus:9090).");
        }
        else if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            errors.Add($"{S}:Url must be an absolute http or https URL; '{options.Url}' is not.");
        }
        else if (url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            errors.Add($"{S}:Url must be a base URL without query or fragment (the facade adds /api/v1/query).");
        }
        else if (url.UserInfo.Length > 0)
        {
            // HttpClient would not send them, and a URL ends up in messages and logs.
            errors.Add($"{S}:Url must not hold credentials: use {S}:BearerTokenFile or {S}:Headers:Authorization.");
        }

        foreach (var (header, value) in options.Headers)
        {
            if (header.Length == 0 || !header.All(IsTokenChar)) errors.Add($"{S}:Headers: '{header}' is not a valid header name.");
            if (value is null || value.Any(c => c is '\r' or '\n')) errors.Add($"{S}:Headers:{header} must be one line.");
        }
        if (options.BearerTokenFile is { } tokenFile)
        {
            if (!File.Exists(tokenFile)) errors.Add($"{S}:BearerTokenFile '{tokenFile}' does not exist.");
            if (options.Headers.ContainsKey("Authorization")) errors.Add($"{S}: set either BearerTokenFile or Headers:Authorization, not both.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{S}:Timeout must be more than 0 and at most 10 minutes.");
        }
        if (options.MaxWindow < TimeSpan.FromSeconds(1) || options.MaxWindow.TotalSeconds > int.MaxValue)
        {
            errors.Add($"{S}:MaxWindow must be at least 1 second.");
        }

        if (!string.IsNullOrWhiteSpace(options.Selector))
        {
            try
            {
                var matchers = LabelMatcher.ParseList(options.Selector);
                if (matchers.Any(m => m.Name == "__name__")) errors.Add($"{S}:Selector must not match on __name__: the facade chooses the metrics.");
            }
            catch (FormatException e)
            {
                errors.Add($"{S}:Selector must be label matchers such as cluster=\"prod-1\", env=~\"a|b\": {e.Message}.");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>RFC 9110 token characters, the only ones a header name may have.</summary>
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);
}

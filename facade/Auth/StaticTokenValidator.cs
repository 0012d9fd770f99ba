using System.Security.Cryptography;
using System.Text;

namespace KubeMonitor.Facade.Auth;

/// <summary>Compares the bearer token with the configured shared token in constant time.</summary>
internal sealed class StaticTokenValidator : IPushCredentialValidator
{
    private readonly string? inlineToken;
    private readonly TokenFile? file;

    public StaticTokenValidator(PushAuthOptions options)
    {
        // The file wins: it is the one that can rotate.
        if (!string.IsNullOrEmpty(options.TokenFile)) file = new TokenFile(options.TokenFile);
        else inlineToken = options.Token;
    }

    public ValueTask<PushCredentialResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var expected = file is null ? inlineToken : file.Read();
        if (string.IsNullOrEmpty(expected))
        {
            return ValueTask.FromResult(PushCredentialResult.Unavailable(
                file is null ? "no push token is configured" : "the push token file is missing or empty"));
        }
        return ValueTask.FromResult(FixedTimeEquals(token, expected)
            ? PushCredentialResult.Accepted("holder of the shared token")
            : PushCredentialResult.Rejected("the token does not match"));
    }

    // Hashing first gives both sides the same length, so neither content nor length leaks through timing.
    private static bool FixedTimeEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}

using System.Diagnostics.CodeAnalysis;

namespace KubeMonitor.Facade.Common;

/// <summary>Kubernetes name rules (docs/api.md section 1): DNS-1123 subdomains and labels.</summary>
internal static class KubernetesNames
{
    /// <summary>Node, pod and deployment names: dot-separated labels, at most 253 characters.</summary>
    public static bool IsSubdomain([NotNullWhen(true)] string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 253) return false;
        // Every push names its pods: split without making the parts.
        foreach (var part in name.AsSpan().Split('.'))
        {
            if (!IsLabelText(name.AsSpan(part))) return false;
        }
        return true;
    }

    /// <summary>Namespaces and container names: one label, at most 63 characters.</summary>
    public static bool IsLabel([NotNullWhen(true)] string? name) => !string.IsNullOrEmpty(name) && name.Length <= 63 && IsLabelText(name);

    private static bool IsLabelText(ReadOnlySpan<char> text)
    {
        if (text.Length == 0 || !IsLowerAlphanumeric(text[0]) || !IsLowerAlphanumeric(text[^1])) return false;
        foreach (var c in text)
        {
            if (!IsLowerAlphanumeric(c) && c != '-') return false;
        }
        return true;
    }

    private static bool IsLowerAlphanumeric(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}

using System.Globalization;

namespace KubeMonitor.Facade.MetricsApi;

/// <summary>
/// Canonical Kubernetes quantities, as metrics-server's answers carry them: CPU as a decimal
/// quantity from nanocores (<c>251234567n</c>, <c>250m</c>, <c>2</c>), memory as bytes with the
/// largest binary suffix that is exact (<c>2Gi</c>, <c>1536Ki</c>), else plain bytes (decimal under 1 KiB).
/// </summary>
internal static class Quantities
{
    private static readonly string[] DecimalSuffixes = ["n", "u", "m", "", "k", "M", "G", "T", "P", "E"];
    private static readonly string[] BinarySuffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

    /// <summary>Cores as whole nanocores, written with the largest decimal suffix whose number stays whole.</summary>
    public static string Cpu(double cores) => Decimal((long)Math.Round(Math.Max(0, cores) * 1e9), suffix: 0);

    /// <summary>A whole number of the unit at <paramref name="suffix"/>, moved up while it stays whole.</summary>
    private static string Decimal(long value, int suffix)
    {
        if (value == 0) return "0";
        while (value % 1000 == 0 && suffix + 1 < DecimalSuffixes.Length)
        {
            value /= 1000;
            suffix++;
        }
        return value.ToString(CultureInfo.InvariantCulture) + DecimalSuffixes[suffix];
    }

    /// <summary>Whole bytes, with the largest binary suffix whose number stays whole.</summary>
    public static string Bytes(double bytes)
    {
        var value = (long)Math.Round(Math.Max(0, bytes));
        // Under 1 KiB Kubernetes writes the decimal form (1000 is "1k"), as its CanonicalizeBytes does.
        if (value < 1024) return Decimal(value, suffix: Array.IndexOf(DecimalSuffixes, ""));
        var suffix = 0;
        while (value % 1024 == 0 && suffix + 1 < BinarySuffixes.Length)
        {
            value /= 1024;
            suffix++;
        }
        return value.ToString(CultureInfo.InvariantCulture) + BinarySuffixes[suffix];
    }
}

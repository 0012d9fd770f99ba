namespace KubeMonitor.Contracts;

/// <summary>Bounds of the push contract a sender must keep to, or the whole push is a 400 (docs/api.md section 6).</summary>
public static class SampleLimits
{
    /// <summary>Labels one pod or node sample may carry; Kubernetes itself sets no count.</summary>
    public const int MaxLabels = 64;
}

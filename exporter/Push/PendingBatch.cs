namespace KubeMonitor.Exporter.Push;

/// <summary>
/// One batch serialized once and shared by every target's buffer (a class: buffers compare by
/// reference). The node is the path segment of <c>POST /api/nodes/{node}/batch</c>.
/// </summary>
internal sealed class PendingBatch(string node, byte[] json, DateTimeOffset timestamp)
{
    public string Node { get; } = node;
    /// <summary>The batch without <c>sentAt</c>, which each send attempt adds (<see cref="SentAtContent"/>).</summary>
    public byte[] Json { get; } = json;
    public DateTimeOffset Timestamp { get; } = timestamp;
    /// <summary>The bytes one push of it sends.</summary>
    public int BodyLength { get; } = SentAtContent.BodyLength(json);
}

/// <summary>What became of one try to deliver a batch to one target (after the client's own retries).</summary>
internal enum SendOutcome
{
    /// <summary>2xx: the facade has it.</summary>
    Sent,
    /// <summary>A 4xx other than 429: sending it again cannot succeed.</summary>
    Rejected,
    /// <summary>Unreachable, 5xx, 429 or timed out after retries: it stays buffered for the next round.</summary>
    Failed,
}

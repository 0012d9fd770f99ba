using System.Text.Json.Serialization;

namespace KubeMonitor.Contracts;

/// <summary>
/// The one JSON shape of the contract: camelCase, numbers only as JSON numbers (a string in
/// place of a number is an error, never leniently parsed), nulls left out when writing, unknown
/// fields ignored so that a newer exporter can talk to an older facade.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.Strict,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    MaxDepth = 16,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(Batch))]
[JsonSerializable(typeof(NodeSample))]
[JsonSerializable(typeof(PodSample))]
public sealed partial class ContractJson : JsonSerializerContext;

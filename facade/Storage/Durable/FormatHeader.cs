namespace KubeMonitor.Facade.Storage.Durable;

/// <summary>
/// The first record of every log segment, checkpoint and chunk file: which format its records have and which
/// columns its rows hold. A file from another format, or from a facade whose field tables
/// differ, is not read (its rows would land in the wrong columns); the start logs it and goes on.
/// </summary>
/// <param name="Number">A segment's or a chunk file's own number; for a checkpoint, the first segment to replay after it.</param>
internal sealed record FormatHeader(int Version, string Fields, long Number)
{
    /// <summary>
    /// Raised with any change of a record's layout. Version 2 keeps each open head chunk in a
    /// checkpoint encoded, as the store holds it (version 1: its rows decoded). Version 3 keeps
    /// closed chunks in chunk files (<see cref="ChunkFiles"/>), and a checkpoint names their places
    /// (version 2: their bytes). Version 4 starts each row of a value stream with the bit of its
    /// steady columns (<see cref="ValueCodec.IsSteady"/>). Version 5 codes some columns from another
    /// of their row (<see cref="FieldTable.References"/>, which a change of needs a new version), and
    /// swaps a value's first two codes after a change (<see cref="ChunkCoding"/>). Version 6 keeps a
    /// pod's containers in its rows (<see cref="PodRowLayout"/>), a series each before.
    /// Older chunks are decoded once at load and stored again.
    /// </summary>
    public const int CurrentVersion = 6;

    /// <summary>The first version whose value streams have a steady-columns bit per row.</summary>
    public const int SteadyRowsVersion = 4;

    /// <summary>The first version whose value streams code columns from their references (<see cref="ColumnReferences"/>) and by context.</summary>
    public const int ReferencesVersion = 5;

    /// <summary>The first version that keeps a pod's containers in its rows (<see cref="PodRowLayout"/>).</summary>
    public const int PodRowsVersion = 6;

    /// <summary>
    /// Log records have not changed since version 1, so segments keep saying 1: a facade rolled
    /// back to version 1 still replays them (it skips a checkpoint it cannot read, and says so).
    /// </summary>
    public const int LogVersion = 1;

    /// <summary>The oldest version this facade still reads, so that an upgrade keeps its window.</summary>
    public const int OldestReadableVersion = 1;

    private const string Magic = "kubemonitor-store";

    /// <summary>The columns of the three field tables, in order: rows are stored by position.</summary>
    public static string CurrentFields { get; } = string.Join(';',
        new FieldTable[] { NodeFields.Table, PodFields.Table, ContainerFields.Table }.Select(t => t.Kind + ":" + string.Join(',', t.Fields.Select(f => f.Path))));

    public static FormatHeader ForCheckpoint(long firstSegment) => new(CurrentVersion, CurrentFields, firstSegment);

    public static FormatHeader ForLogSegment(long number) => new(LogVersion, CurrentFields, number);

    public static FormatHeader ForChunkFile(long number) => new(CurrentVersion, CurrentFields, number);

    public void Write(RecordWriter writer)
    {
        writer.String(Magic);
        writer.Varint((ulong)Version);
        writer.Signed(Number);
        writer.String(Fields);
    }

    /// <summary>The header, or why these bytes are none this facade can read.</summary>
    public static FormatHeader Read(ReadOnlySpan<byte> payload)
    {
        var reader = new RecordReader(payload);
        if (reader.String() != Magic) throw new InvalidDataException("The first record is not a kubemonitor-store header.");
        var version = (int)reader.Varint();
        var number = reader.Signed();
        // A later version may lay out the rest differently: read no further than the version.
        var fields = version is >= OldestReadableVersion and <= CurrentVersion ? reader.String() : "";
        return new FormatHeader(version, fields, number);
    }

    /// <summary>Why records under this header cannot be read by this facade, or null when they can.</summary>
    public string? Incompatibility() =>
        Version is < OldestReadableVersion or > CurrentVersion ? $"format version {Version}, this facade reads versions {OldestReadableVersion} to {CurrentVersion}"
        : Fields != CurrentFields ? "another set of columns (the field tables changed between versions)"
        : null;
}

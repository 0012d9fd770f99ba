using System.Buffers;
using KubeMonitor.Facade.Storage;
using KubeMonitor.Facade.Storage.Durable;

namespace KubeMonitor.Facade.Tests.Durable;

/// <summary>
/// The log's records: a batch comes back as it went in, bit for bit; a file cut anywhere, or with
/// any byte changed, reads up to its last intact record and says where it stopped.
/// </summary>
public class RecordCodecTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Batches_round_trip_bit_for_bit(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 50; i++)
        {
            var batch = DurableData.Batch(random, $"node-{i}", random.NextInt64(-1L << 50, 1L << 50), random.Next(0, 12));
            var writer = new RecordWriter();
            BatchCodec.Write(batch, writer);
            DurableData.AssertSame(batch, BatchCodec.Read(writer.Written));
        }
    }

    [Fact]
    public void Values_take_less_than_their_eight_bytes_when_they_are_counts()
    {
        var writer = new RecordWriter();
        writer.Value(double.NaN);
        writer.Value(120_000_000 - 120_000_000 % 4096);
        writer.Value(81234.567891);
        // Absent: the tag; 29,296 pages: tag + 3; 81,234,567,891 microseconds: tag + 6 (raw: 3 x 8 = 24).
        Assert.Equal(1 + 4 + 7, writer.Written.Length);
    }

    [Fact]
    public void A_file_cut_anywhere_reads_up_to_its_last_whole_record()
    {
        var (file, ends) = SampleFile(records: 6);
        for (var cut = 0; cut <= file.Length; cut++)
        {
            var read = new List<long>();
            var scan = RecordFile.Read(new MemoryStream(file[..cut]), (_, payload) => read.Add(BatchCodec.Read(payload).Node!.TimestampMs));
            var whole = ends.Count(end => end <= cut);
            Assert.Equal(Math.Max(0, whole - 1), read.Count);
            Assert.Equal(whole == 0 ? 0 : ends[whole - 1], scan.GoodLength);
            // A cut between two records looks like a file that ends there; anywhere else it is reported.
            Assert.Equal(ends.Contains(cut), scan.Problem is null);
        }
    }

    [Fact]
    public void A_changed_byte_stops_the_read_at_the_record_it_is_in()
    {
        var (file, ends) = SampleFile(records: 4);
        for (var at = ends[0]; at < file.Length; at += 7)
        {
            var damaged = file.ToArray();
            damaged[at] ^= 0x10;
            var scan = RecordFile.Read(new MemoryStream(damaged), (_, payload) => BatchCodec.Read(payload));
            var recordStart = ends.Last(end => end <= at);
            Assert.Equal(recordStart, scan.GoodLength);
            Assert.NotNull(scan.Problem);
        }
    }

    [Fact]
    public void A_file_of_another_format_version_is_not_read()
    {
        var writer = new RecordWriter();
        new FormatHeader(FormatHeader.CurrentVersion + 1, FormatHeader.CurrentFields, 1).Write(writer);
        var frame = new ArrayBufferWriter<byte>();
        Frames.Write(RecordKind.Header, writer.Written, frame);
        var read = 0;
        var scan = RecordFile.Read(new MemoryStream(frame.WrittenSpan.ToArray()), (_, _) => read++);
        Assert.Contains($"format version {FormatHeader.CurrentVersion + 1}", scan.Problem, StringComparison.Ordinal);
        Assert.Equal(0, read);
    }

    /// <summary>A header and batch records, and the offset where each record ends.</summary>
    private static (byte[] File, List<int> Ends) SampleFile(int records)
    {
        var random = new Random(7);
        var frame = new ArrayBufferWriter<byte>();
        var writer = new RecordWriter();
        var ends = new List<int>();
        FormatHeader.ForLogSegment(1).Write(writer);
        Frames.Write(RecordKind.Header, writer.Written, frame);
        ends.Add(frame.WrittenCount);
        for (var i = 0; i < records - 1; i++)
        {
            writer.Clear();
            var batch = DurableData.Batch(random, "node-1", 1000 + i, random.Next(0, 4));
            BatchCodec.Write(batch with { Node = batch.Node ?? new NodeEntry("node-1", 1000 + i, new double[NodeFields.Count]) }, writer);
            Frames.Write(RecordKind.Batch, writer.Written, frame);
            ends.Add(frame.WrittenCount);
        }
        return (frame.WrittenSpan.ToArray(), ends);
    }
}

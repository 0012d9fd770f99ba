using KubeMonitor.Facade.Storage;

namespace KubeMonitor.Facade.Tests.Storage;

public class RowBeforeNewestTests
{
    [Fact]
    public void Only_the_columns_that_differ_from_the_newest_are_kept_and_all_come_back()
    {
        var payload = BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_0000_0001)); // a NaN other than the canonical one
        double[] newest = [1, 2, double.NaN, 4, -0.0, payload, 7];
        double[] previous = [1, 3, double.NaN, double.NaN, 0.0, double.NaN, 6];
        var row = new RowBeforeNewest();
        row.Keep(previous, newest);

        Assert.Equal(24 + 5 * sizeof(double), row.BytesHeld); // 3 -> 2, NaN -> 4, 0 -> -0, NaN -> payload, 6 -> 7
        var back = new double[7];
        row.CopyTo(back, newest);
        Assert.Equal(previous.Select(BitConverter.DoubleToInt64Bits), back.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Its_array_grows_to_the_most_columns_that_differed_and_is_reused()
    {
        var row = new RowBeforeNewest();
        row.Keep([1, 1, 1], [1, 1, 1]);
        Assert.Equal(0, row.BytesHeld); // nothing differs: no array
        row.Keep([0, 0, 1], [1, 1, 1]);
        Assert.Equal(24 + 2 * sizeof(double), row.BytesHeld);
        row.Keep([0, 1, 1], [1, 1, 1]);
        Assert.Equal(24 + 2 * sizeof(double), row.BytesHeld);
        var back = new double[3];
        row.CopyTo(back, [1, 1, 1]);
        Assert.Equal([0, 1, 1], back);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(65)]
    public void A_row_kept_whole_comes_back_whatever_the_newest_and_wide_rows_too(int columns)
    {
        var previous = Enumerable.Range(0, columns).Select(i => (double)i).ToArray();
        var newest = Enumerable.Range(0, columns).Select(i => i % 2 == 0 ? (double)i : -i).ToArray();
        var back = new double[columns];

        var whole = new RowBeforeNewest();
        whole.KeepWhole(previous);
        whole.CopyTo(back, new double[columns]);
        Assert.Equal(previous, back);

        var kept = new RowBeforeNewest();
        kept.Keep(previous, newest);
        kept.CopyTo(back, newest);
        Assert.Equal(previous, back);
    }
}

using PhoenixSlt.Core.Decoding;

namespace PhoenixSlt.Core.Tests.Decoding;

public class TokenHistoryTests
{
    [Fact]
    public void Advance_ParentsAndTokens_RowsFollowTheirParents()
    {
        var history = TokenHistory.Start(rows: 2, startToken: 9, capacity: 2);

        history = history.Advance([0, 0], [5, 6]).Advance([1, 0, 1], [7, 8, 4]); // grows past the capacity

        Assert.Equal(3, history.Rows);
        Assert.Equal(3, history.Length);
        Assert.Equal([9L, 6, 7], history.Row(0).ToArray());
        Assert.Equal([9L, 5, 8], history.Row(1).ToArray());
        Assert.Equal([9L, 6, 4], history.Row(2).ToArray());
    }

    [Fact]
    public void Advance_ParentOutOfRange_Throws()
    {
        var history = TokenHistory.Start(rows: 1, startToken: 0, capacity: 4);

        Assert.Throws<ArgumentOutOfRangeException>(() => history.Advance([1], [3]));
    }
}

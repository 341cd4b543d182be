using PhoenixSlt.Web.Options;

namespace PhoenixSlt.Web.Tests.Services;

public sealed class BeamOptionsTests
{
    [Theory]
    [InlineData(1, true)]
    [InlineData(16, true)]
    [InlineData(0, false)]
    [InlineData(17, false)]
    public void Problem_DefaultLimit_AcceptsOneToSixteen(int beams, bool accepted)
        => Assert.Equal(accepted, new BeamOptions().Problem(beams) is null);

    [Fact]
    public void Problem_OverTheLimit_NamesTheRangeAndTheValue()
        => Assert.Equal("Beams must be a whole number from 1 (greedy) to 4 (got 9).", new BeamOptions { Max = 4 }.Problem(9));
}

using PhoenixSlt.Web.Components.Shared;

namespace PhoenixSlt.Web.Tests.Components.Charts;

public sealed class ChartAxisTests
{
    [Fact]
    public void YRange_AllZeroBleuAsPercent_ZeroToHundredNeverMinusOneToOne()
    {
        Assert.Equal(new AxisRange(0, 100), ChartAxis.YRange([0, 0, 0], ChartYScale.Percent, logY: false));
    }

    [Fact]
    public void YRange_PercentWithinZeroToHundred_ZeroToHundred()
    {
        Assert.Equal(new AxisRange(0, 100), ChartAxis.YRange([12.5, 33.9, 100], ChartYScale.Percent, logY: false));
    }

    [Fact]
    public void YRange_PercentAboveHundred_FromZeroToFivePercentAboveTheHighest()
    {
        Assert.Equal(new AxisRange(0, 210), ChartAxis.YRange([50, 200], ChartYScale.Percent, logY: false));
    }

    [Fact]
    public void YRange_NonNegative_FromZeroToFivePercentAboveTheHighest()
    {
        Assert.Equal(new AxisRange(0, 42), ChartAxis.YRange([12, 40, 30], ChartYScale.NonNegative, logY: false));
    }

    [Fact]
    public void YRange_NonNegativeAllZero_ZeroToOne()
    {
        Assert.Equal(new AxisRange(0, 1), ChartAxis.YRange([0, 0], ChartYScale.NonNegative, logY: false));
    }

    [Theory]
    [InlineData(ChartYScale.Percent)]
    [InlineData(ChartYScale.NonNegative)]
    public void YRange_DataBelowZero_AroundTheData(ChartYScale scale)
    {
        Assert.Null(ChartAxis.YRange([-3, 5], scale, logY: false));
    }

    [Fact]
    public void YRange_Auto_AroundTheData()
    {
        Assert.Null(ChartAxis.YRange([3.5, 3.0], ChartYScale.Auto, logY: false));
    }

    [Fact]
    public void YRange_LogAxis_Autoranges()
    {
        Assert.Null(ChartAxis.YRange([12, 30], ChartYScale.Percent, logY: true));
    }

    [Fact]
    public void YRange_NoFiniteValue_TheScalesEmptyRange()
    {
        Assert.Equal(new AxisRange(0, 100), ChartAxis.YRange([double.NaN], ChartYScale.Percent, logY: false));
        Assert.Equal(new AxisRange(0, 1), ChartAxis.YRange([], ChartYScale.NonNegative, logY: false));
    }

    [Fact]
    public void YRange_NonFiniteValues_Ignored()
    {
        Assert.Equal(new AxisRange(0, 100), ChartAxis.YRange([20, double.PositiveInfinity, double.NaN], ChartYScale.Percent, logY: false));
    }

    [Fact]
    public void CanUseLog_OnlyWithAValueAboveZero()
    {
        Assert.True(ChartAxis.CanUseLog([0, 0, 1e-4]));
        Assert.False(ChartAxis.CanUseLog([0, -2, double.PositiveInfinity]));
        Assert.False(ChartAxis.CanUseLog([]));
    }

    [Fact]
    public void XTickStep_FewSteps_WholeStepsOtherwisePlotlys()
    {
        Assert.Equal(1, ChartAxis.XTickStep([1, 2, 6]));
        Assert.Null(ChartAxis.XTickStep([0, 10]));
        Assert.Null(ChartAxis.XTickStep([]));
    }
}

using PhoenixSlt.Web.Components.Shared;

namespace PhoenixSlt.Web.Tests.Components.Charts;

public sealed class ChartSmoothingTests
{
    [Fact]
    public void Smooth_HalfWeight_MatchesTheDebiasedAverageByHand()
    {
        // w = 0.5: a1 = 0.5·1 = 0.5, /(1 − 0.5) = 1; a2 = 0.25 + 1.5 = 1.75, /(1 − 0.25) = 7/3;
        // a3 = 0.875 + 2.5 = 3.375, /(1 − 0.125) = 27/7
        double[] smoothed = ChartSmoothing.Smooth([1, 3, 5], 0.5);

        Assert.Equal(1, smoothed[0], 12);
        Assert.Equal(7.0 / 3, smoothed[1], 12);
        Assert.Equal(27.0 / 7, smoothed[2], 12);
    }

    [Fact]
    public void Smooth_FirstValue_IsNotPulledTowardsZero()
    {
        // without debiasing the first value would be (1 − 0.9)·10 = 1
        Assert.Equal(10, ChartSmoothing.Smooth([10, 10, 10], 0.9)[0], 12);
    }

    [Fact]
    public void Smooth_ConstantCurve_StaysConstant()
    {
        double[] smoothed = ChartSmoothing.Smooth([2.5, 2.5, 2.5, 2.5], 0.6);

        Assert.All(smoothed, v => Assert.Equal(2.5, v, 12));
    }

    [Fact]
    public void Smooth_WeightZero_ReturnsTheValues()
    {
        Assert.Equal([4.0, 1.0, 3.0], ChartSmoothing.Smooth([4, 1, 3], 0));
    }

    [Fact]
    public void Smooth_NonFiniteValue_KeptAndLeftOutOfTheAverage()
    {
        // w = 0.5 over 2, NaN, 4: the NaN stays; 4 is the second value seen: a = 0.5·1 + 0.5·4 = 2.5 (a1 = 1), /(1 − 0.25) = 10/3
        double[] smoothed = ChartSmoothing.Smooth([2, double.NaN, 4], 0.5);

        Assert.Equal(2, smoothed[0], 12);
        Assert.True(double.IsNaN(smoothed[1]));
        Assert.Equal(10.0 / 3, smoothed[2], 12);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Smooth_WeightOutsideZeroToMax_Throws(double weight)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ChartSmoothing.Smooth([1, 2], weight));
        Assert.Contains("between 0 and 0.99", error.Message);
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0.6, 0.6)]
    [InlineData(5, 0.99)]
    [InlineData(double.NaN, 0)]
    public void Clamp_AnyWeight_IntoTheOfferedRange(double weight, double expected)
    {
        Assert.Equal(expected, ChartSmoothing.Clamp(weight));
    }
}

namespace PhoenixSlt.Training.Tests;

public sealed class LearningRateScheduleTests
{
    // W = 10 warmup steps, T = 110 total: warmup (s+1)/10, then ½(1 + cos(π (s−10)/100)).
    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(4, 0.5)]
    [InlineData(9, 1.0)]
    [InlineData(10, 1.0)]                      // cos(0) = 1
    [InlineData(35, 0.85355339059327373)]      // ½(1 + cos(π/4)) = ½ + √2/4
    [InlineData(60, 0.5)]                      // cos(π/2) = 0
    [InlineData(85, 0.14644660940672627)]      // ½(1 + cos(3π/4)) = ½ − √2/4
    [InlineData(110, 0.0)]
    [InlineData(500, 0.0)]
    public void At_WarmupThenCosine_MatchesHandComputedValues(long step, double expected)
    {
        var schedule = new LearningRateSchedule(warmupSteps: 10, totalSteps: 110);

        Assert.Equal(expected, schedule.At(step), 12);
    }

    [Theory]
    [InlineData(10, 1.0)]
    [InlineData(60, 0.55)]   // 0.1 + 0.9 · ½
    [InlineData(110, 0.1)]
    public void At_WithFloor_DecaysToTheFloor(long step, double expected)
    {
        var schedule = new LearningRateSchedule(10, 110, minRatio: 0.1);

        Assert.Equal(expected, schedule.At(step), 12);
    }

    [Fact]
    public void At_NoWarmup_StartsAtThePeak()
    {
        var schedule = new LearningRateSchedule(0, 4);

        double[] expected = [1.0, 0.85355339059327373, 0.5, 0.14644660940672627, 0.0];
        for (int step = 0; step < expected.Length; step++)
            Assert.Equal(expected[step], schedule.At(step), 12);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(10, 1)]
    [InlineData(100, 5)]
    [InlineData(1001, 51)]   // ceil(50.05)
    public void DefaultWarmup_FivePercentAtLeastOne(long total, long expected)
        => Assert.Equal(expected, LearningRateSchedule.DefaultWarmup(total));

    [Fact]
    public void Constructor_WarmupLongerThanRun_IsCappedAtTheRun()
    {
        var schedule = new LearningRateSchedule(50, 5);

        Assert.Equal(5, schedule.WarmupSteps);
        Assert.Equal(0.2, schedule.At(0), 12);
        Assert.Equal(1.0, schedule.At(4), 12);
    }
}

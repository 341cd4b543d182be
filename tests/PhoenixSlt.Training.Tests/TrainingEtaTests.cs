namespace PhoenixSlt.Training.Tests;

/// The ETA of a run with its validations: remaining steps × step time + the rest of the validation in progress +
/// remaining validations × the last validation's duration.
public sealed class TrainingEtaTests
{
    [Fact]
    public void Seconds_StepsAndValidationsLeft_AddsBoth()
        // 16 steps × 0.5 s + 2 validations × 60 s + 30 s of the current one
        => Assert.Equal(16 * 0.5 + 2 * 60 + 30, TrainingEta.Seconds(16, 0.5, 2, 60, 30));

    [Fact]
    public void Seconds_NoValidationTimedYet_CountsOnlyTheSteps()
        => Assert.Equal(10 * 2.0, TrainingEta.Seconds(10, 2.0, 3, null));

    [Fact]
    public void Seconds_NoStepTimedAndStepsLeft_IsUnknown()
        => Assert.Null(TrainingEta.Seconds(10, null, 1, 60));

    [Fact]
    public void Seconds_DuringTheFirstValidationBeforeAStepIsTimed_IsTheRestOfTheValidation()
        => Assert.Equal(45, TrainingEta.Seconds(0, null, 0, null, 45));

    [Fact]
    public void Seconds_NothingLeft_IsZero()
        => Assert.Equal(0, TrainingEta.Seconds(0, 1.5, 0, 60));

    [Fact]
    public void Seconds_NegativeCounts_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainingEta.Seconds(-1, 1, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainingEta.Seconds(1, 1, -1, 1));
    }

    [Theory]
    [InlineData(0, 30, 10, 3)]    // validations at 10, 20, 30
    [InlineData(10, 30, 10, 2)]   // the one at 10 is done or running: 20, 30
    [InlineData(14, 30, 10, 2)]   // the one at 14 does not exist: 20, 30
    [InlineData(3, 7, 3, 2)]      // 6 and the final one at 7 (7 is no multiple of 3)
    [InlineData(6, 7, 3, 1)]      // the final one at 7
    [InlineData(7, 7, 3, 0)]      // the run's end
    [InlineData(9, 7, 3, 0)]      // past the end
    [InlineData(0, 5, 100, 1)]    // a period longer than the run: only the final validation
    public void RemainingValidations_CountsMultiplesAfterTheStepAndTheFinalOne(long step, long total, long period, long expected)
        => Assert.Equal(expected, TrainingEta.RemainingValidations(step, total, period));

    [Fact]
    public void RemainingValidations_ZeroPeriod_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => TrainingEta.RemainingValidations(0, 10, 0));

    [Theory]
    [InlineData(10, 5, 20, null, 30)]    // 2 s per clip, 15 clips left
    [InlineData(10, 0, 20, 60.0, 50)]    // no clip yet: the last validation's 60 s minus 10 s spent
    [InlineData(70, 0, 20, 60.0, 0)]     // slower than last time: not negative
    [InlineData(10, 0, 20, null, 0)]     // nothing to go by
    [InlineData(10, 20, 20, 60.0, 0)]    // every clip done
    public void RestOfValidation_FromTheRateOrTheLastDuration(double elapsed, int done, int total, double? last, double expected)
        => Assert.Equal(expected, TrainingEta.RestOfValidation(elapsed, done, total, last));
}

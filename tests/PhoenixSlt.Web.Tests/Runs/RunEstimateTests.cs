using PhoenixSlt.Training;
using PhoenixSlt.Training.Specs;
using PhoenixSlt.Web.Services.Runs;

namespace PhoenixSlt.Web.Tests.Runs;

public sealed class RunEstimateTests
{
    /// 40 training samples/s, 4 clips/s decoded greedily.
    private static readonly PresetSpeed Speed = new(40, 4, "test", Measured: true);

    [Fact]
    public void Stage_Epochs_StepsFromCorpusBatchAndEpochsAndOneValidationPerEpoch()
    {
        var spec = new RunSpec { Phase = "slt", Epochs = 2, BatchSize = 8, Beams = 1 };

        var stage = RunEstimate.Stage(spec, trainClips: 100, validationClips: 20, Speed);

        // ⌈100 / 8⌉ = 13 steps per epoch, 2 epochs; 26 steps × 8 samples / 40 per s = 5.2 s
        Assert.Equal((26L, 2L), (stage.Steps, stage.Validations));
        Assert.Equal(5.2, stage.Training.TotalSeconds, 6);
        // per validation: loss pass 20 / (40 × 3) s + greedy decoding 20 × 1 / 4 s
        Assert.Equal(2 * (20 / 120.0 + 5.0), stage.Validation.TotalSeconds, 6);
        Assert.Equal(stage.Training + stage.Validation, stage.Total);
    }

    [Fact]
    public void Stage_MaxStepsAndEvalEvery_StepsCappedAndAFinalValidation()
    {
        var spec = new RunSpec { Phase = "slt", MaxSteps = 25, EvalEvery = 10, BatchSize = 4, Accumulate = 2, Beams = 1 };

        var stage = RunEstimate.Stage(spec, trainClips: 1000, validationClips: 0, Speed);

        // validations after steps 10, 20 and the last step 25; 25 steps × 8 samples / 40 = 5 s
        Assert.Equal((25L, 3L), (stage.Steps, stage.Validations));
        Assert.Equal(5.0, stage.Training.TotalSeconds, 6);
        Assert.Equal(TimeSpan.Zero, stage.Validation);
    }

    [Fact]
    public void Stage_Beams_DecodingCostGrowsWithTheBeams()
    {
        var greedy = RunEstimate.Stage(new RunSpec { Epochs = 1, Beams = 1 }, 80, 40, Speed);
        var five = RunEstimate.Stage(new RunSpec { Epochs = 1, Beams = 5 }, 80, 40, Speed);

        double loss = 40 / 120.0;
        Assert.Equal(5 * (greedy.Validation.TotalSeconds - loss), five.Validation.TotalSeconds - loss, 6);
        Assert.Equal(greedy.Training, five.Training);
    }

    [Fact]
    public void Stage_Vlp_ValidatesWithTheLossOnly()
    {
        var stage = RunEstimate.Stage(new RunSpec { Phase = "vlp", Epochs = 1, Beams = 5 }, 80, 60, Speed);

        Assert.Equal(60 / 120.0, stage.Validation.TotalSeconds, 6);
    }

    [Fact]
    public void Of_Pipeline_ThreeStagesTheTextStageWithItsOwnEpochs()
    {
        var spec = new RunSpec { Phase = TrainingPhaseNames.Pipeline, Epochs = 2, TextEpochs = 5, BatchSize = 10, Beams = 1 };

        var estimate = RunEstimate.Of(spec, trainClips: 100, validationClips: 10, Speed)!;

        Assert.Equal(["text", "vlp", "slt"], estimate.Stages.Select(s => s.Phase));
        Assert.Equal([50L, 20L, 20L], estimate.Stages.Select(s => s.Steps));
        Assert.Equal(estimate.Stages.Sum(s => s.Total.TotalSeconds), estimate.Total.TotalSeconds, 6);
    }

    [Theory]
    [InlineData(0L, 8)]     // eval_every 0
    [InlineData(null, 0)]   // batch size 0
    public void Of_SettingOutOfRange_NullInsteadOfAThrow(long? evalEvery, int batchSize)
        => Assert.Null(RunEstimate.Of(new RunSpec { EvalEvery = evalEvery, BatchSize = batchSize }, 100, 10, Speed));

    [Fact]
    public void Of_NoTrainingClips_Null()
        => Assert.Null(RunEstimate.Of(new RunSpec(), 0, 10, Speed));

    [Fact]
    public void Of_EndlessRun_CappedInsteadOfOverflowing()
    {
        var estimate = RunEstimate.Of(new RunSpec { Epochs = int.MaxValue, Beams = 32 }, 7096, 519, PresetSpeed.Fallback("base", "cpu"))!;

        Assert.True(estimate.Total >= TimeSpan.FromDays(3650));
    }

    [Fact]
    public void FromHistory_PastRuns_MedianTrainingSpeedAndScaledDecoding()
    {
        var fallback = PresetSpeed.Fallback("tiny", "cpu");

        var speed = PresetSpeed.FromHistory([10, 40, 20, double.NaN, 0], "tiny", "cpu");

        Assert.True(speed.Measured);
        Assert.Equal(20, speed.TrainSamplesPerSecond);
        Assert.Equal(fallback.GreedyClipsPerSecond * 20 / fallback.TrainSamplesPerSecond, speed.GreedyClipsPerSecond, 9);
        Assert.Contains("3 finished runs", speed.Source);
    }

    [Fact]
    public void FromHistory_NoRuns_TheFallback()
    {
        var speed = PresetSpeed.FromHistory([], "small", "cpu");

        Assert.Equal(PresetSpeed.Fallback("small", "cpu"), speed);
        Assert.False(speed.Measured);
    }

    [Fact]
    public void Fallback_Cuda_FasterThanTheCpuByTheDocumentedFactor()
        => Assert.Equal(PresetSpeed.CudaFactor * PresetSpeed.Fallback("tiny", "cpu").TrainSamplesPerSecond, PresetSpeed.Fallback("tiny", "cuda:0").TrainSamplesPerSecond);

    [Theory]
    [InlineData(12, "12 s")]
    [InlineData(0.2, "1 s")]
    [InlineData(150, "3 min")]
    [InlineData(3 * 3600 + 5 * 60, "3 h 05 min")]
    [InlineData(2 * 86400 + 4 * 3600, "2 d 4 h")]
    public void Format_Seconds_ReadableDuration(double seconds, string expected)
        => Assert.Equal(expected, RunEstimate.Format(TimeSpan.FromSeconds(seconds)));
}

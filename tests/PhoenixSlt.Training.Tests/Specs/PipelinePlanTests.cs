using PhoenixSlt.Training.Specs;

namespace PhoenixSlt.Training.Tests.Specs;

public sealed class PipelinePlanTests
{
    [Fact]
    public void Stages_SinglePhase_IsOneStageInOutWithItsOwnInitAndMbart()
    {
        var spec = new RunSpec { Phase = "slt", Out = "/o", Init = "/ckpt", Mbart = "/m", BatchSize = 3 };

        var stage = Assert.Single(PipelinePlan.Stages(spec));

        Assert.Equal("slt", stage.Phase);
        Assert.Equal(spec, stage.Spec);
        Assert.Equal(Path.Combine("/o", "events.jsonl"), stage.EventsFile);
    }

    [Fact]
    public void Stages_Pipeline_ChainsTextVlpSltThroughTheBestFolders()
    {
        var spec = new RunSpec { Phase = "pipeline", Out = "/run", Mbart = "/hf", BatchSize = 3, LrEncoder = 1e-3 };

        var stages = PipelinePlan.Stages(spec);

        Assert.Equal(["text", "vlp", "slt"], stages.Select(s => s.Phase));
        Assert.Equal(["text", "vlp", "slt"], stages.Select(s => s.Spec.Phase));
        Assert.Equal(["/run/text", "/run/vlp", "/run/slt"], stages.Select(s => s.OutDir));
        Assert.Equal([null, null, "/run/vlp/best"], stages.Select(s => s.Spec.Init));
        Assert.Equal(["/hf", "/run/text/best", "/run/text/best"], stages.Select(s => s.Spec.Mbart));
        Assert.All(stages, s => Assert.Equal((3, 1e-3), (s.Spec.BatchSize, s.Spec.LrEncoder)));   // the settings apply to every stage
        Assert.All(stages, s => Assert.Equal(Path.Combine(s.OutDir, "events.jsonl"), s.EventsFile));
    }

    [Theory]
    [InlineData(null, 4, null, 12)]    // empty: 3 text epochs per visual epoch
    [InlineData(null, null, null, 90)] // 3 × the default 30 epochs
    [InlineData(null, null, 100L, null)] // only max_steps limits the run: the text stage too
    [InlineData(12, 4, null, 12)]
    [InlineData(12, null, null, 12)]
    public void Stages_TextEpochs_SetOnlyTheTextStagesEpochs(int? textEpochs, int? epochs, long? maxSteps, int? expectedText)
    {
        var stages = PipelinePlan.Stages(new RunSpec { Phase = "pipeline", Out = "/run", Epochs = epochs, MaxSteps = maxSteps, TextEpochs = textEpochs });

        Assert.Equal([expectedText, epochs, epochs], stages.Select(s => s.Spec.Epochs));
    }

    [Theory]
    [InlineData("pipeline", "/r/7")]
    [InlineData("slt", "/r/7/slt")]
    [InlineData("text", "/r/7/text")]
    public void RunOut_PipelineUsesTheRunFolderASinglePhaseItsSubfolder(string phase, string expected)
        => Assert.Equal(expected, PipelinePlan.RunOut("/r/7", phase));

    [Fact]
    public void Stages_NoOut_Throws() => Assert.Throws<ArgumentException>(() => PipelinePlan.Stages(new RunSpec()));
}

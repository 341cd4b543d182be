using PhoenixSlt.Web.Services.Jobs;
using PhoenixSlt.Web.Services.Runs;
using PhoenixSlt.Web.Services.Translation;

namespace PhoenixSlt.Web.Tests.Translation;

/// Which checkpoint the Translate page offers first, and how checkpoints are labelled.
public sealed class TranslationCheckpointChoiceTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private const string Root = "/ckpt";

    private static CheckpointInfo Checkpoint(int id, int? runId, string folder, int minutes, double? bleu4 = null, long step = 10)
        => new(id, $"{Root}/runs/{runId}/slt/{folder}", "slt", runId, step,
            bleu4 is double b ? new Dictionary<string, double> { ["bleu4"] = b } : new Dictionary<string, double>(),
            folder == "best", T0.AddMinutes(minutes), 1);

    private static RunInfo Run(int id, JobStatus status, int finishedMinutes, string name = "demo", string phase = "slt") => new()
    {
        Id = id, Name = name, Phase = phase, Status = status, Dataset = "synth", CreatedAt = T0, Device = "cpu",
        OutputFolder = $"{Root}/runs/{id}", FinishedAt = status.IsFinal() ? T0.AddMinutes(finishedMinutes) : null,
    };

    [Fact]
    public void DefaultOf_NewerCheckpointsOfARunningRun_OffersTheBestOfTheNewestCompletedRun()
    {
        // Run 1 completed at minute 5, run 2 completed at minute 9, run 3 still running with the newest checkpoints.
        var checkpoints = new[]
        {
            Checkpoint(30, 3, "best", 20), Checkpoint(31, 3, "last", 21),
            Checkpoint(20, 2, "best", 8), Checkpoint(21, 2, "last", 9),
            Checkpoint(10, 1, "best", 4),
        };
        var runs = new[] { Run(1, JobStatus.Completed, 5), Run(2, JobStatus.Completed, 9), Run(3, JobStatus.Running, 0) };

        Assert.Equal(20, TranslationCheckpoints.DefaultOf(checkpoints, runs));
    }

    [Fact]
    public void DefaultOf_CompletedRunsFinishingOutOfOrder_TheLastToFinishWins()
    {
        var checkpoints = new[] { Checkpoint(10, 1, "best", 1), Checkpoint(20, 2, "best", 2) };
        var runs = new[] { Run(1, JobStatus.Completed, 50), Run(2, JobStatus.Completed, 40) };

        Assert.Equal(10, TranslationCheckpoints.DefaultOf(checkpoints, runs));
    }

    [Fact]
    public void DefaultOf_NoCompletedRun_TheNewestBestCheckpoint()
    {
        var checkpoints = new[] { Checkpoint(1, null, "best", 3), Checkpoint(2, null, "last", 9), Checkpoint(3, 7, "best", 5) };

        Assert.Equal(3, TranslationCheckpoints.DefaultOf(checkpoints, [Run(7, JobStatus.Failed, 6)]));
    }

    [Fact]
    public void DefaultOf_NoCheckpoint_Null() => Assert.Null(TranslationCheckpoints.DefaultOf([], []));

    [Fact]
    public void Label_CheckpointOfARun_NamesTheRunWhichCheckpointStepAndBleu()
        => Assert.Equal("run 2 “demo” · best checkpoint · step 120 · BLEU-4 4.20",
            TranslationCheckpoints.Label(Checkpoint(20, 2, "best", 0, bleu4: 4.2, step: 120), Run(2, JobStatus.Completed, 1), Root));

    [Fact]
    public void Label_PipelineStageCheckpoint_NamesTheStage()
        => Assert.Equal("run 4 “full” (slt stage) · last checkpoint · step 10",
            TranslationCheckpoints.Label(Checkpoint(40, 4, "last", 0), Run(4, JobStatus.Completed, 1, "full", TrainingPhaseNamesPipeline), Root));

    [Fact]
    public void Label_FolderWithoutARun_ItsPathUnderTheCheckpointRoot()
    {
        var checkpoint = new CheckpointInfo(5, $"{Root}/run-a/best", "slt", null, 6, new Dictionary<string, double>(), true, T0, 1);

        Assert.Equal("run-a · best checkpoint · step 6", TranslationCheckpoints.Label(checkpoint, null, Root));
    }

    private const string TrainingPhaseNamesPipeline = PhoenixSlt.Training.TrainingPhaseNames.Pipeline;
}

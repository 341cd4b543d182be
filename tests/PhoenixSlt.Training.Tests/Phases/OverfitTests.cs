using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Training.Evaluation;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Phases;

namespace PhoenixSlt.Training.Tests.Phases;

/// The learning proof of the whole pipeline (data → collator → fusion encoder → adapter → mBART → loss → AdamW →
/// checkpoint → beam search → metrics): the tiny SLT model from scratch must reproduce every translation of a
/// 16-clip training subset exactly.
[Collection(SerialTrainingCollection.Name)]
public sealed class OverfitTests
{
    public const int MaxSteps = 150;

    [Fact]
    public void Slt_SixteenClips_TranslatesEveryTrainingClipExactly()
    {
        using var temp = new TempFolder();
        string data = TrainingTestData.Synthetic(temp.Combine("data"), train: 16, dev: 1, seed: 11);
        var sink = new RecordingProgressSink();
        var options = new TrainRunOptions
        {
            Phase = TrainingPhase.Slt,
            DataDir = data,
            OutDir = temp.Combine("out"),
            ValidationSplit = "train",   // memorise the training clips
            MaxSteps = MaxSteps,
            BatchSize = 16,              // one step per epoch
            LrEncoder = 3e-3,            // the decoder follows the encoder's rate (scratch mBART)
            WarmupSteps = 10,
            Dropout = 0.0,
            LabelSmoothing = 0.0,
            Beams = 1,                   // greedy during training; the final check uses beam search
            EvalEverySteps = 20,
            Patience = 2,                // stop once BLEU-4 stayed at its best (100) twice
            LogEvery = 20,
            Seed = 3,
        };

        using (var session = TrainingSession.Create(options))
            session.Run(sink: sink);

        var finished = Assert.IsType<FinishedEvent>(sink.Events[^1]);
        Assert.NotNull(finished.BestCheckpoint);
        using var checkpoint = SltCheckpoint.Load(finished.BestCheckpoint!);
        var train = PhoenixFeatureDataset.Open(data, "train");
        var evaluation = checkpoint.Evaluator().Evaluate(train, new SltEvaluationOptions(NumBeams: 3, BatchSize: 8, MaxNewTokens: checkpoint.MaxNewTokens));
        for (int i = 0; i < train.Count; i++)
            Assert.Equal(evaluation.References[i], evaluation.Hypotheses[i]);
        Assert.Equal(100.0, evaluation.Metrics[MetricNames.Bleu4], 9);
        Assert.Equal(100.0, evaluation.Metrics[MetricNames.SacreBleu], 9);
        Assert.True(finished.Step <= MaxSteps);
    }
}

using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Inference;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Phases;
using PhoenixSlt.Training.Specs;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests.Phases;

/// gloss_ctc_weight: a CTC head over the corpus' glosses on the fusion encoder, trained with the translation loss.
[Collection(SerialTrainingCollection.Name)]
public sealed class GlossSupervisionTests(SyntheticDatasetFixture dataset) : IClassFixture<SyntheticDatasetFixture>
{
    private RunSpec Spec(string outDir, double weight) => new()
    {
        Phase = TrainingPhaseNames.Slt,
        Data = dataset.DataDir,
        Out = outDir,
        MaxSteps = 3,
        BatchSize = 4,
        Beams = 1,
        LogEvery = 1,
        GlossCtcWeight = weight,
    };

    [Fact]
    public void Run_WithGlossCtc_ReportsGlossWerAndSavesTheVocabularyWithTheCheckpoint()
    {
        using var temp = new TempFolder();
        var sink = new RecordingProgressSink();

        using (var session = TrainingSession.Create(Spec(temp.Path, 0.5)))
        {
            var model = (SignTranslationModel)session.Task.Model;
            var train = PhoenixFeatureDataset.Open(dataset.DataDir, "train");
            var expected = GlossVocabulary.Build(train.Samples.Select(s => s.Orth));
            Assert.Equal(expected.Size, model.Config.GlossVocabSize);
            Assert.Equal(0.5, model.Config.GlossCtcWeight);
            Assert.Contains(model.ParameterGroups(), g => g.Name == SignTranslationModel.EncoderGroup && g.Names.Any(n => n.StartsWith("gloss_head.", StringComparison.Ordinal)));
            session.Run(sink: sink);
        }

        var eval = sink.Events.OfType<EvalEvent>().Last();
        Assert.InRange(eval.Metrics[MetricNames.GlossWer], 0, 1000);
        var finished = Assert.IsType<FinishedEvent>(sink.Events[^1]);
        Assert.True(File.Exists(Path.Combine(finished.BestCheckpoint!, GlossVocabulary.FileName)));
        using var checkpoint = SltCheckpoint.Load(finished.BestCheckpoint!);
        Assert.NotNull(checkpoint.Translator.Glosses);
        var dev = PhoenixFeatureDataset.Open(dataset.DataDir, "dev");
        using var batch = checkpoint.Collator().Collate(dev.Get([0, 1]));
        var recognised = checkpoint.Translator.RecognizeGlosses(batch)!;
        Assert.Equal(2, recognised.Count);
        var known = GlossVocabulary.Build(PhoenixFeatureDataset.Open(dataset.DataDir, "train").Samples.Select(s => s.Orth));
        Assert.All(recognised, g => Assert.All(GlossVocabulary.Split(g), gloss => Assert.NotEqual([GlossVocabulary.UnknownId], known.Encode(gloss))));
    }

    [Fact]
    public void Forward_WithGlossTargets_AddsTheWeightedCtcLossToTheTranslationLoss()
    {
        using var temp = new TempFolder();
        using var session = TrainingSession.Create(Spec(temp.Path, 0.7));
        var model = (SignTranslationModel)session.Task.Model;
        model.eval();                                                    // no dropout: both passes see the same network
        var train = PhoenixFeatureDataset.Open(dataset.DataDir, "train");
        var glosses = GlossVocabulary.Build(train.Samples.Select(s => s.Orth));
        using var batch = new Collator(new CollatorOptions(64)).Collate(train.Get([0, 1, 2]));
        using var noGrad = no_grad();

        using var translationOnly = model.call(SltInputs.From(batch, session.Tokenizer, model.MaxDecoderPositions));
        using var both = model.call(SltInputs.From(batch, session.Tokenizer, model.MaxDecoderPositions, glosses));

        Assert.Null(translationOnly.GlossLoss);
        float ctc = both.GlossLoss!.item<float>();
        Assert.True(ctc > 0);
        Assert.Equal(translationOnly.Loss!.item<float>() + 0.7f * ctc, both.Loss!.item<float>(), 4);
    }

    [Fact]
    public void Create_WithoutAWeight_GlossSupervisionIsOnWhenTheClipsHaveGlossesAndOffWithout()
    {
        using var temp = new TempFolder();
        var spec = Spec(temp.Combine("default"), 0) with { GlossCtcWeight = null };

        using (var session = TrainingSession.Create(spec))
        {
            var model = (SignTranslationModel)session.Task.Model;
            Assert.Equal(RunSpec.DefaultGlossCtcWeight, model.Config.GlossCtcWeight);
            Assert.NotNull(model.GlossHead);
        }
        using (var session = TrainingSession.Create(spec with { Phase = TrainingPhaseNames.Vlp, Out = temp.Combine("vlp") }))
            Assert.NotNull(((VisualLanguagePretrainer)session.Task.Model).GlossHead);

        string noGlosses = TextObjectiveTests.CopyWithoutGlosses(dataset.DataDir, temp.Combine("data"));
        using (var session = TrainingSession.Create(spec with { Data = noGlosses, Out = temp.Combine("no-glosses") }))
            Assert.Null(((SignTranslationModel)session.Task.Model).GlossHead);
    }
}

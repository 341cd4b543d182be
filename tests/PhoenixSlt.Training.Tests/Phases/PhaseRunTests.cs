using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Inference;
using PhoenixSlt.Core.Metrics;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Text;
using PhoenixSlt.Training.Events;
using PhoenixSlt.Training.Phases;
using PhoenixSlt.Training.Specs;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests.Phases;

[Collection(SerialTrainingCollection.Name)]
public sealed class PhaseRunTests(SyntheticDatasetFixture dataset) : IClassFixture<SyntheticDatasetFixture>
{
    private RunSpec Options(TrainingPhase phase, string outDir) => new()
    {
        Phase = phase.ToName(),
        Data = dataset.DataDir,
        Out = outDir,
        MaxSteps = 3,
        BatchSize = 4,
        Beams = 2,
        LogEvery = 1,
    };

    [Fact]
    public void Run_Text_WritesAnMBartFolderWithItsTokenizer()
    {
        using var temp = new TempFolder();
        var sink = new RecordingProgressSink();

        using var session = TrainingSession.Create(Options(TrainingPhase.Text, temp.Path) with { TextTask = TextObjectives.Denoise });
        Assert.Equal(ModelPresets.EncoderLearningRate("tiny"), session.TrainerOptions.LearningRateOf(SignTranslationModel.EncoderGroup));
        var result = session.Run(sink: sink);

        Assert.Equal(3, result.Steps);
        var metadata = CheckpointMetadata.Load(result.BestCheckpoint!);
        Assert.Equal(CheckpointPhase.Text, metadata.Phase);
        Assert.True(metadata.Metrics[MetricNames.ValLoss] > 0);
        var (mbart, report) = MBartPretrained.Load(result.BestCheckpoint!);   // config.json + transformers' tensor names
        using (mbart)
        {
            Assert.True(report.IsComplete);
            var trained = (MBartForConditionalGeneration)session.Task.Model;
            Assert.True(mbart.Model.Shared.weight!.allclose(trained.Model.Shared.weight!));
        }
        var tokenizer = CheckpointTokenizer.Load(result.BestCheckpoint!);
        Assert.Equal(session.Tokenizer.VocabSize, tokenizer.VocabSize);
        Assert.Equal(session.Tokenizer.Encode("es regnet im norden"), tokenizer.Encode("es regnet im norden"));
        Assert.All(sink.Events.OfType<StepEvent>(), e => Assert.True(e.Loss > 0));

        // the encoder reads the noised text with the "</s> de_DE" suffix intact; the decoder target is the original
        var task = (TextPretrainingTask)session.Task;
        var ids = session.Tokenizer.Encode("morgen scheint im süden die sonne bei temperaturen um zwölf grad");
        var (input, target) = task.Noise(ids, new Random(4));
        Assert.Equal(ids, target);
        Assert.Equal(ids.TakeLast(2), input.TakeLast(2));
        Assert.Contains(session.Tokenizer.MaskId, input);
        Assert.True(input.Length < ids.Count, "4 of the 11 words are removed, each run by one <mask>");
    }

    [Fact]
    public void Run_Vlp_WritesACheckpointThatLoadsIntoAFreshModel()
    {
        using var temp = new TempFolder();

        using var session = TrainingSession.Create(Options(TrainingPhase.Vlp, temp.Path));
        var result = session.Run();

        var metadata = CheckpointMetadata.Load(result.LastCheckpoint!);
        Assert.Equal(CheckpointPhase.Vlp, metadata.Phase);
        Assert.Contains(VlpTask.VisualToTextTop1, metadata.Metrics.Keys);
        using var loaded = new VisualLanguagePretrainer(metadata.ReadModelConfig<VlpConfig>());
        ModelWeights.Load(loaded, result.LastCheckpoint!);
        var trained = (VisualLanguagePretrainer)session.Task.Model;
        Assert.True(loaded.LogitScale.allclose(trained.LogitScale));
        Assert.True(loaded.VisualHead.parameters().First().allclose(trained.VisualHead.parameters().First()));
        Assert.Equal(session.Tokenizer.VocabSize, CheckpointStore.LoadTokenizer(result.LastCheckpoint!).VocabSize);
    }

    [Fact]
    public void Run_Slt_WritesACheckpointThatTranslatesLikeTheTrainedModel()
    {
        using var temp = new TempFolder();

        using var session = TrainingSession.Create(Options(TrainingPhase.Slt, temp.Path));
        var result = session.Run();

        using var checkpoint = SltCheckpoint.Load(result.LastCheckpoint!);
        Assert.Equal(CheckpointPhase.Slt, checkpoint.Metadata.Phase);
        Assert.Equal(session.Recipe.MaxFrames, checkpoint.MaxFrames);
        Assert.Equal(session.Recipe.MaxNewTokens, checkpoint.MaxNewTokens);
        var trained = (SignTranslationModel)session.Task.Model;
        foreach (var ((name, expected), (_, actual)) in trained.state_dict().Zip(checkpoint.Model.state_dict()))
            Assert.True(expected.allclose(actual), $"{name} differs after loading");
        Assert.True(result.LastValidation!.Metrics.ContainsKey(MetricNames.Bleu4));
    }

    [Fact]
    public void Run_Slt_ValidationSamplesEqualTheInferenceEntryPointOnTheSavedCheckpoint()
    {
        using var temp = new TempFolder();
        var options = Options(TrainingPhase.Slt, temp.Path);
        using var session = TrainingSession.Create(options);
        var result = session.Run();
        var samples = result.LastValidation!.Samples;
        Assert.Contains(samples, s => s.Hypothesis.Length > 0);

        // the trainer decoded the dev split in length buckets with the model in memory; the entry point loads the
        // saved weights and reads each clip's files as `phoenix-slt translate` does
        var store = new FeatureStore(new DatasetLayout(dataset.DataDir));
        var clips = samples.Select(s => ClipReader.Read(store.FindFile(FeatureKind.Keypoints, "dev", s.Name)!,
            store.FindFile(FeatureKind.Siglip, "dev", s.Name)!, s.Name)).ToList();
        using var checkpoint = SltCheckpoint.Load(result.LastCheckpoint!);

        Assert.Equal(samples.Select(s => s.Hypothesis), checkpoint.Translate(clips, options.Beams));
        Assert.Equal(samples.Select(s => s.Hypothesis), clips.Select(c => checkpoint.Translate([c], options.Beams)[0]));
    }

    [Fact]
    public void Create_TextThenVlpThenSlt_EachPhaseStartsFromThePreviousWeights()
    {
        using var temp = new TempFolder();
        string text;
        using (var session = TrainingSession.Create(Options(TrainingPhase.Text, temp.Combine("text"))))
            text = session.Run().BestCheckpoint!;

        Assert.Equal(TextObjectives.GlossToText, TrainingRecipe.Load(text)!.TextTask);   // the corpus has glosses

        string vlp;
        using (var session = TrainingSession.Create(Options(TrainingPhase.Vlp, temp.Combine("vlp")) with { Init = text, GlossCtcWeight = 1 }))
        {
            var model = (VisualLanguagePretrainer)session.Task.Model;
            Assert.NotNull(model.GlossHead);
            Assert.Equal(TextObjectives.GlossToText, session.Recipe.TextTask);          // so the text encoder embeds the glosses
            using var textWeights = SafetensorsWeights.Open(text);
            using var expected = textWeights.Read("model.encoder.layers.0.fc1.weight");
            Assert.True(expected.allclose(model.TextEncoder.state_dict()["layers.0.fc1.weight"]), "the VLP text encoder is the text checkpoint's encoder");
            Assert.Equal(CheckpointTokenizer.Load(text).VocabSize, session.Tokenizer.VocabSize);
            vlp = session.Run().BestCheckpoint!;
        }

        Assert.True(File.Exists(Path.Combine(vlp, GlossVocabulary.FileName)));
        var sltOptions = Options(TrainingPhase.Slt, temp.Combine("slt")) with { Init = vlp, Mbart = text, GlossCtcWeight = 1 };
        using (var session = TrainingSession.Create(sltOptions))
        {
            var model = (SignTranslationModel)session.Task.Model;
            using var vlpWeights = SafetensorsWeights.Open(vlp);
            foreach (var (name, tensor) in model.FusionEncoder.state_dict())
            {
                using var fromVlp = vlpWeights.Read(SignTranslationModel.FusionEncoderPrefix + name);
                Assert.True(fromVlp.allclose(tensor), $"fusion_encoder.{name} was not taken from the VLP checkpoint");
            }
            using var textWeights = SafetensorsWeights.Open(text);
            using var decoderWeight = textWeights.Read("model.decoder.layers.1.fc2.weight");
            Assert.True(decoderWeight.allclose(model.MBart.Model.Decoder.state_dict()["layers.1.fc2.weight"]), "the SLT decoder is the text checkpoint's");
            using var glossHead = vlpWeights.Read("gloss_head.classifier.weight");
            Assert.True(glossHead.allclose(model.GlossHead!.state_dict()["classifier.weight"]), "the gloss head was taken from the VLP checkpoint");
            Assert.False(model.Config.FreezeTextEncoder, "an mBART encoder trained by our own text phase keeps training");
            // the text phase trained this mBART from scratch: its decoder keeps the encoder's rate (5e-6 is for
            // pretrained mbart-large-cc25 weights)
            Assert.False(MBartPretrainedWeights.AreFromPretrainedMBart(text));
            Assert.Equal(ModelPresets.EncoderLearningRate("tiny"), session.TrainerOptions.LearningRateOf(SignTranslationModel.DecoderGroup));
            var result = session.Run();
            Assert.Equal(Path.GetFullPath(vlp), CheckpointMetadata.Load(result.LastCheckpoint!).ParentCheckpoint);
        }
    }

    [Fact]
    public void Create_ScratchSlt_TrainsTheTextEncoderAndUsesTheEncoderRateForTheDecoder()
    {
        using var temp = new TempFolder();

        using var session = TrainingSession.Create(Options(TrainingPhase.Slt, temp.Path) with { LrEncoder = 3e-4, MinLrRatio = 0.1 });

        var model = (SignTranslationModel)session.Task.Model;
        Assert.False(model.Config.FreezeTextEncoder);
        Assert.Equal(3e-4, session.TrainerOptions.LearningRateOf(SignTranslationModel.DecoderGroup));
        Assert.Equal(0.1, session.TrainerOptions.MinLearningRateRatio);
        Assert.IsType<CorpusTokenizer>(session.Tokenizer);
        Assert.Equal(session.Tokenizer.VocabSize, model.Config.MBart.VocabSize);
    }

    [Fact]
    public void Create_InitOfTheWrongPhase_SaysWhichPhasesFit()
    {
        using var temp = new TempFolder();
        string text;
        using (var session = TrainingSession.Create(Options(TrainingPhase.Text, temp.Combine("text"))))
            text = session.Run().BestCheckpoint!;

        var e = Assert.Throws<TrainingConfigurationException>(() => TrainingSession.Create(Options(TrainingPhase.Slt, temp.Combine("slt")) with { Init = text }));

        Assert.Contains("is a text checkpoint", e.Message);
        Assert.Contains("give a text checkpoint as --mbart", e.Message);
    }

    [Fact]
    public void Create_OutHoldsARun_Refuses()
    {
        using var temp = new TempFolder();
        using (var session = TrainingSession.Create(Options(TrainingPhase.Vlp, temp.Path)))
            session.Run();

        var e = Assert.Throws<TrainingConfigurationException>(() => TrainingSession.Create(Options(TrainingPhase.Vlp, temp.Path)));

        Assert.Contains("already holds the checkpoints of a run", e.Message);
    }

    [Theory]
    [InlineData(129, "exceeds the mBART encoder's 128 positions")]
    [InlineData(0, "max_frames 0 is out of range; allowed: a whole number from 1 to 65536")]
    public void Create_BadMaxFrames_Throws(int maxFrames, string message)
    {
        using var temp = new TempFolder();

        var e = Assert.Throws<TrainingConfigurationException>(() => TrainingSession.Create(Options(TrainingPhase.Slt, temp.Path) with { MaxFrames = maxFrames }));

        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Create_MissingData_NamesTheFolder()
    {
        using var temp = new TempFolder();

        var e = Assert.Throws<TrainingConfigurationException>(() => TrainingSession.Create(Options(TrainingPhase.Slt, temp.Path) with { Data = temp.Combine("nothing") }));

        Assert.Contains(temp.Combine("nothing"), e.Message);
        Assert.Contains("folder not found", e.Message);
    }
}

using PhoenixSlt.Core.Checkpoints;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Decoding;
using PhoenixSlt.Core.Inference;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Tests.Modules.Squeezeformer;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Inference;

/// The inference entry point on a saved checkpoint against two independent references: the translations the model
/// was trained to produce, and the trained model's own generate call in memory (before saving).
[Collection(SerialTorchCollection.Name)]
public sealed class SltCheckpointTests(TrainedSltCheckpointFixture fixture) : IClassFixture<TrainedSltCheckpointFixture>
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Translate_TrainingClips_ReproducesTheLearntTranslations(int beams)
    {
        using var checkpoint = SltCheckpoint.Load(fixture.Folder);

        var hypotheses = checkpoint.Translate(fixture.Clips, beams);

        Assert.Equal(fixture.Clips.Select(c => c.Translation), hypotheses);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Translate_UnseenClips_EqualsTheInMemoryModelsGenerateClipByClip(int beams)
    {
        FeatureSample[] clips = [.. Enumerable.Range(0, 4).Select(i => TrainedSltCheckpointFixture.Clip($"new{i}", "", 6 + 3 * i, 3 + i, seed: 40 + i))];
        using var checkpoint = SltCheckpoint.Load(fixture.Folder);

        var batched = checkpoint.Translate(clips, beams);

        Assert.Equal(clips.Select(c => GenerateInMemory(c, beams)), batched);
        Assert.Contains(batched, h => h.Length > 0);
    }

    [Fact]
    public void Translate_CollatedBatch_EqualsTheRawClips()
    {
        using var checkpoint = SltCheckpoint.Load(fixture.Folder);
        using var batch = checkpoint.Collator().Collate(fixture.Clips);

        Assert.Equal(checkpoint.Translate(fixture.Clips, 2), checkpoint.Translate(batch, 2));
        Assert.Equal(checkpoint.Translate(fixture.Clips, 2), checkpoint.Translator.Translate(batch, 2, checkpoint.MaxNewTokens));
    }

    [Fact]
    public void Translate_NoClips_ReturnsNothing()
    {
        using var checkpoint = SltCheckpoint.Load(fixture.Folder);

        Assert.Empty(checkpoint.Translate([], 3));
    }

    [Fact]
    public void Load_Checkpoint_HasTheTrainedWeightsTokenizerAndTrainingLimits()
    {
        using var checkpoint = SltCheckpoint.Load(fixture.Folder);

        Assert.Equal(CheckpointPhase.Slt, checkpoint.Metadata.Phase);
        Assert.False(checkpoint.Model.training);
        Assert.Equal(TrainedSltCheckpointFixture.Tokenizer.VocabSize, checkpoint.Tokenizer.VocabSize);
        Assert.Equal(new SltDecodingLimits(TrainedSltCheckpointFixture.MaxFrames, TrainedSltCheckpointFixture.MaxNewTokens), checkpoint.Limits);
        Assert.Equal(TrainedSltCheckpointFixture.MaxFrames, checkpoint.Collator().Options.MaxFrames);
        foreach (var ((name, expected), (_, actual)) in fixture.Model.state_dict().Zip(checkpoint.Model.state_dict()))
            Assert.True(expected.eq(actual).all().item<bool>(), $"{name} differs after loading");
    }

    [Fact]
    public void Load_WithoutTrainingJson_TakesTheModelsLimits()
    {
        string folder = fixture.NewFolder("no-recipe");
        foreach (string file in Directory.GetFiles(fixture.Folder).Where(f => Path.GetFileName(f) != TrainingRecipe.FileName))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));

        using var checkpoint = SltCheckpoint.Load(folder);

        Assert.Null(checkpoint.Recipe);
        int positions = fixture.Model.Config.MBart.MaxPositionEmbeddings;
        Assert.Equal(new SltDecodingLimits(positions, Math.Min(SltDecodingLimits.DefaultMaxNewTokens, positions - 1)), checkpoint.Limits);
    }

    [Fact]
    public void Load_VlpCheckpoint_SaysAnSltCheckpointIsNeeded()
    {
        string folder = fixture.NewFolder("vlp");
        CheckpointMetadata.Create(CheckpointPhase.Vlp, VlpConfig.Tiny).Save(folder);

        var e = Assert.Throws<CheckpointFormatException>(() => SltCheckpoint.Load(folder));

        Assert.Contains("this is a vlp checkpoint; translating needs an slt checkpoint", e.Message);
    }

    [Theory]
    [InlineData(null, null, 128, 64)]
    [InlineData(16, 10, 16, 10)]
    [InlineData(500, 300, 128, 127)]
    public void DecodingLimits_RecipeCappedByThePositions(int? maxFrames, int? maxNewTokens, int expectedFrames, int expectedTokens)
    {
        var mbart = MBartConfig.Tiny with { MaxPositionEmbeddings = 128 };
        var recipe = maxFrames is null ? null : new TrainingRecipe { Phase = "slt", MaxFrames = maxFrames, MaxNewTokens = maxNewTokens };

        Assert.Equal(new SltDecodingLimits(expectedFrames, expectedTokens), SltDecodingLimits.From(recipe, mbart));
    }

    /// The trained model before saving, one clip alone: generate with the mBART language code as the start token
    /// and the training length, then the tokenizer's decoding.
    private string GenerateInMemory(FeatureSample clip, int beams)
    {
        using var scope = NewDisposeScope();
        using var batch = new Collator(new CollatorOptions(TrainedSltCheckpointFixture.MaxFrames)).Collate([clip]);
        var tokenizer = TrainedSltCheckpointFixture.Tokenizer;
        var config = GenerationConfig.FromModel(fixture.Model) with
        {
            DecoderStartTokenId = tokenizer.LanguageId("de_DE"),
            NumBeams = beams,
            MaxNewTokens = TrainedSltCheckpointFixture.MaxNewTokens,
        };
        using var output = fixture.Model.Generate(VisualInputs.From(batch), config);
        return tokenizer.Decode(output.Sequences[0].Select(id => (int)id));
    }
}

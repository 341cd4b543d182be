using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Tests;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Modules;

/// Batches from the collator and models built from a Hugging Face mBART folder.
public sealed class ModelInputsTests
{
    private static FeatureSample Sample(string name, string translation, int frames, int siglipFrames)
    {
        var random = new Random(frames * 31 + siglipFrames);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
        return new FeatureSample(name, translation,
            new NpyArray(Values(frames * FeatureSpec.KeypointDim), [frames, FeatureSpec.KeypointDim]),
            new NpyArray(Values(siglipFrames * FeatureSpec.SiglipDim), [siglipFrames, FeatureSpec.SiglipDim]));
    }

    private static PhoenixBatch Batch() => new Collator().Collate(
        [Sample("a", ModelTestData.Sentences[0], 7, 4), Sample("b", ModelTestData.Sentences[1], 10, 6)]);

    [Fact]
    public void SltInputsFrom_CollatedBatch_LabelsAreTheTokenizedTranslations()
    {
        using var scope = NewDisposeScope();
        using var batch = Batch();
        var expected = ModelTestData.Tokenizer.EncodeBatch(batch.Translations);

        var inputs = SltInputs.From(batch, ModelTestData.Tokenizer);

        Assert.Equal([2L, expected.SequenceLength], inputs.Labels!.shape);
        Assert.Equal(expected.InputIds, inputs.Labels.data<long>().ToArray());
        Assert.Same(batch.Keypoints, inputs.Visual.Keypoints);
        using var model = new SignTranslationModel(ModelTestData.TinySlt());
        Assert.True(model.call(inputs).Loss!.isfinite().item<bool>());
    }

    [Fact]
    public void VlpInputsFrom_CollatedBatch_IdsAndMaskOfTheTranslations()
    {
        using var scope = NewDisposeScope();
        using var batch = Batch();
        var expected = ModelTestData.Tokenizer.EncodeBatch(batch.Translations);

        var inputs = VlpInputs.From(batch, ModelTestData.Tokenizer);

        Assert.Equal(expected.InputIds, inputs.TextIds.data<long>().ToArray());
        Assert.Equal(expected.AttentionMask, inputs.TextMask.data<long>().ToArray());
        using var model = new VisualLanguagePretrainer(ModelTestData.TinyVlp());
        Assert.True(model.call(inputs).Loss.isfinite().item<bool>());
    }

    [Fact]
    public void VlpInputsFrom_TextFromGlosses_IdsOfTheLowercasedGlossesAndCtcTargets()
    {
        using var scope = NewDisposeScope();
        var samples = new[]
        {
            Sample("a", ModelTestData.Sentences[0], 7, 4) with { Orth = "MORGEN REGEN" },
            Sample("b", ModelTestData.Sentences[1], 10, 6) with { Orth = "SONNE" },
        };
        using var batch = new Collator().Collate(samples);
        var glosses = PhoenixSlt.Core.Text.GlossVocabulary.Build(samples.Select(s => s.Orth));
        var expected = ModelTestData.Tokenizer.EncodeBatch(["morgen regen", "sonne"]);

        var inputs = VlpInputs.From(batch, ModelTestData.Tokenizer, glosses: glosses, textFromGlosses: true);

        Assert.Equal(expected.InputIds, inputs.TextIds.data<long>().ToArray());
        Assert.Equal([2L, 2], inputs.GlossTargets!.shape);
        Assert.Equal(glosses.Encode("MORGEN REGEN").Select(i => (long)i).Append(glosses.Encode("SONNE")[0]).Append(0L), inputs.GlossTargets.data<long>().ToArray());
        Assert.Equal([2L, 1], inputs.GlossLengths!.data<long>().ToArray());
    }

    [Fact]
    public void FromPretrainedMBart_FixtureFolder_ModelsCarryTheFixtureWeights()
    {
        string folder = TestPaths.Fixture("mbart-tiny");
        var (reference, _) = MBartPretrained.Load(folder);
        using var _reference = reference;
        using var slt = SignTranslationModel.FromPretrainedMBart(ModelTestData.TinySlt(), folder);
        using var vlp = VisualLanguagePretrainer.FromPretrainedMBart(ModelTestData.TinyVlp(), folder);
        using var scope = NewDisposeScope();

        var sltState = slt.MBart.state_dict();
        foreach (var (name, value) in reference.state_dict())
            Assert.True(value.eq(sltState[name]).all().item<bool>(), $"SLT mbart.{name} differs from the fixture");
        var vlpState = vlp.TextEncoder.state_dict();
        foreach (var (name, value) in reference.Model.Encoder.state_dict())
            Assert.True(value.eq(vlpState[name]).all().item<bool>(), $"VLP text_encoder.{name} differs from the fixture");
        Assert.True(slt.training);
        Assert.False(slt.MBart.Model.Encoder.training);
    }
}

using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Modules;

public sealed class VisualLanguagePretrainerTests
{
    private static VlpInputs TwoPairs()
    {
        var (ids, mask, _) = ModelTestData.Tokens(ModelTestData.Sentences);
        return new VlpInputs(ModelTestData.TwoClips(), ids, mask);
    }

    [Fact]
    public void Forward_TwoPairs_UnitEmbeddingsSquareLogitsInitialScale()
    {
        using var model = new VisualLanguagePretrainer(ModelTestData.TinyVlp());
        using var scope = NewDisposeScope();

        using VlpOutput output = model.call(TwoPairs());

        int e = model.Config.EmbedDim;
        Assert.Equal([2L, e], output.VisualEmbeddings.shape);
        Assert.Equal([2L, e], output.TextEmbeddings.shape);
        Assert.Equal([2L, 2], output.LogitsPerVisual.shape);
        Assert.Empty(output.Loss.shape);
        Assert.True(output.Loss.isfinite().item<bool>());
        Assert.True(output.VisualEmbeddings.norm(1).sub(1).abs().max().item<float>() < 1e-5, "visual embeddings are not unit length");
        Assert.True(output.TextEmbeddings.norm(1).sub(1).abs().max().item<float>() < 1e-5, "text embeddings are not unit length");
        Assert.Equal(1 / 0.07, output.LogitScale.item<float>(), 1e-4); // exp(log(1/0.07))
        // logits = scale · v tᵀ; the text view is the transpose
        Tensor expected = output.LogitScale * output.VisualEmbeddings.matmul(output.TextEmbeddings.t());
        Assert.True(output.LogitsPerVisual.allclose(expected, rtol: 0, atol: 1e-5));
        Assert.True(output.LogitsPerText.eq(output.LogitsPerVisual.t()).all().item<bool>());
    }

    [Fact]
    public void EffectiveLogitScale_LargeParameter_ClampedToExactly100()
    {
        using var model = new VisualLanguagePretrainer(ModelTestData.TinyVlp());
        using var scope = NewDisposeScope();
        using (no_grad())
            model.LogitScale.fill_(10.0); // exp(10) ≈ 22026

        Assert.Equal(100f, model.EffectiveLogitScale().item<float>());
        using VlpOutput output = model.call(TwoPairs());
        Assert.Equal(100f, output.LogitScale.item<float>());
    }

    [Fact]
    public void EffectiveLogitScale_BelowCap_IsExpOfParameterAndTrainable()
    {
        using var model = new VisualLanguagePretrainer(ModelTestData.TinyVlp());
        using var scope = NewDisposeScope();
        using (no_grad())
            model.LogitScale.fill_(2.0);

        Tensor scale = model.EffectiveLogitScale();
        scale.backward();

        Assert.Equal(Math.Exp(2.0), scale.item<float>(), 1e-4);
        Assert.Equal(Math.Exp(2.0), model.LogitScale.grad!.item<float>(), 1e-4); // d exp(x)/dx = exp(x)
    }

    [Fact]
    public void Backward_FrozenTextEncoder_NoGradientsThereButOnVisualSideHeadsAndScale()
    {
        using var model = new VisualLanguagePretrainer(ModelTestData.TinyVlp());
        model.train();
        using var scope = NewDisposeScope();

        model.call(TwoPairs()).Loss.backward();

        foreach (var (name, parameter) in model.TextEncoder.named_parameters())
        {
            Assert.False(parameter.requires_grad, $"text_encoder.{name} requires grad");
            Assert.Null(parameter.grad);
        }
        var trainable = model.FusionEncoder.named_parameters().Select(p => ("fusion_encoder." + p.name, p.parameter))
            .Concat(model.VisualHead.named_parameters().Select(p => ("visual_head." + p.name, p.parameter)))
            .Concat(model.TextHead.named_parameters().Select(p => ("text_head." + p.name, p.parameter)))
            .Append(("logit_scale", model.LogitScale));
        foreach (var (name, parameter) in trainable)
        {
            double? grad = ModelTestData.GradNorm(parameter);
            Assert.True(grad is > 0, $"{name} has gradient {grad?.ToString() ?? "none"}");
        }
    }

    [Fact]
    public void Train_WholeModel_TextEncoderStaysInEvalMode()
    {
        // dropout 0.3 in the text encoder: if it were in training mode, two passes would differ
        var config = ModelTestData.TinyVlp() with { TextEncoder = MBartConfig.Tiny with { Dropout = 0.3 } };
        using var model = new VisualLanguagePretrainer(config);
        using var scope = NewDisposeScope();
        var (ids, mask, _) = ModelTestData.Tokens(ModelTestData.Sentences);

        model.train();
        Tensor first = model.PooledTextFeatures(ids, mask);
        Tensor second = model.PooledTextFeatures(ids, mask);

        Assert.True(model.training);
        Assert.True(model.FusionEncoder.training);
        Assert.False(model.TextEncoder.training);
        Assert.All(model.TextEncoder.modules(), m => Assert.False(m.training));
        Assert.True(first.eq(second).all().item<bool>());
        model.eval();
        model.train();
        Assert.False(model.TextEncoder.training);
    }

    [Fact]
    public void PooledTextFeatures_PaddedBatch_EncoderStateAtEachRowsEndOfSentence()
    {
        using var model = new VisualLanguagePretrainer(ModelTestData.TinyVlp());
        using var scope = NewDisposeScope();
        string[] texts = ["regen", .. ModelTestData.Sentences]; // three lengths: rows 0 and 1 are padded
        var (ids, mask, lengths) = ModelTestData.Tokens(texts);

        Tensor pooled = model.PooledTextFeatures(ids, mask);

        for (int b = 0; b < texts.Length; b++)
        {
            // the sentence alone, unpadded: "pieces… </s> de_DE" with </s> at length − 2
            var (aloneIds, aloneMask, _) = ModelTestData.Tokens([texts[b]]);
            using var noGrad = no_grad();
            Tensor hidden = model.TextEncoder.call(aloneIds, aloneMask, null, false).LastHiddenState; // (1, S, D)
            Tensor expected = hidden[0, lengths[b] - 2];
            double diff = (pooled[b] - expected).abs().max().item<float>();
            Assert.True(diff < 1e-5, $"row {b}: pooled state differs from the </s> state by {diff}");
        }
    }

    [Fact]
    public void LoadTextEncoder_FixtureMBart_CopiesEveryEncoderTensor()
    {
        var (mbart, _) = MBartPretrained.Load(TestPaths.Fixture("mbart-tiny"));
        using var _mbart = mbart;
        using var model = new VisualLanguagePretrainer(ModelTestData.TinyVlp() with { TextEncoder = mbart.Config });
        using var scope = NewDisposeScope();
        var source = mbart.Model.Encoder.state_dict();
        Assert.Contains(source, kv => !kv.Value.eq(model.TextEncoder.state_dict()[kv.Key]).all().item<bool>());

        var report = model.LoadTextEncoder(mbart);

        var target = model.TextEncoder.state_dict();
        Assert.Equal(source.Keys.Order(), report.Copied.Order());
        foreach (var (name, value) in source)
            Assert.True(value.eq(target[name]).all().item<bool>(), $"{name} differs after loading");
        Assert.All(model.TextEncoder.parameters(), p => Assert.False(p.requires_grad));
    }

    [Fact]
    public void Forward_TextBatchSizeDiffers_SaysBoth()
    {
        using var model = new VisualLanguagePretrainer(ModelTestData.TinyVlp());
        using var scope = NewDisposeScope();
        var (ids, mask, _) = ModelTestData.Tokens(["regen"]);

        var e = Assert.Throws<ArgumentException>(() => model.call(new VlpInputs(ModelTestData.TwoClips(), ids, mask)));

        Assert.Contains("B = 2", e.Message);
    }

    [Fact]
    public void Forward_WithAGlossHeadAndTargets_AddsTheWeightedCtcLossToTheContrastiveLoss()
    {
        using var plain = new VisualLanguagePretrainer(ModelTestData.TinyVlp());
        using var model = new VisualLanguagePretrainer(ModelTestData.TinyVlp() with { GlossVocabSize = 5, GlossCtcWeight = 0.6 });
        using (no_grad())                                                                                  // same network besides the head
            foreach (var (name, weight) in plain.state_dict())
                model.state_dict()[name].copy_(weight);
        model.eval();
        plain.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var inputs = TwoPairs() with
        {
            GlossTargets = tensor(new long[] { 1, 2, 3, 4, 0, 0 }, [2, 3]),                            // clip 0: 1 2 3; clip 1: 4
            GlossLengths = tensor(new long[] { 3, 1 }),
        };

        using VlpOutput contrastive = plain.call(inputs);
        using VlpOutput both = model.call(inputs);
        using VlpOutput withoutTargets = model.call(TwoPairs());

        Assert.Null(contrastive.GlossLoss);
        Assert.Null(withoutTargets.GlossLoss);
        float ctc = both.GlossLoss!.item<float>();
        Assert.True(ctc > 0);
        Assert.Equal(contrastive.Loss.item<float>(), withoutTargets.Loss.item<float>(), 5);
        Assert.Equal(contrastive.Loss.item<float>() + 0.6f * ctc, both.Loss.item<float>(), 4);
        Assert.Equal(2, model.RecognizeGlosses(inputs.Visual)!.Length);
        Assert.Null(plain.RecognizeGlosses(inputs.Visual));
    }
}

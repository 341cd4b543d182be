using PhoenixSlt.Core.Amp;
using PhoenixSlt.Core.Decoding;
using PhoenixSlt.Core.Modules;
using PhoenixSlt.Core.Modules.MBart;
using PhoenixSlt.Core.Tests.Modules;
using SerialTorchCollection = PhoenixSlt.Core.Tests.Modules.Squeezeformer.SerialTorchCollection;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Amp;

/// The tiny models under autocast against float32 on the same batch and weights (dropout 0, training mode, so the
/// masked batch norm uses batch statistics in both runs).
/// <para>Tolerances: bfloat16 keeps 8 significant bits, so every rounding to it has a relative error of at most
/// 2^-9 and a typical op (inputs and weights rounded, float32 accumulation, output rounded) about 2^-8 ≈ 0.4 %.
/// The float32 norms, residual stream, logits and loss stop these errors from compounding across layers; the loss is
/// a smooth function of ~10 such rounded stages, so its relative error stays at a few 2^-8: rtol 2e-2 (≈ 5·2^-8).
/// float16 keeps 11 bits (2^-11 ≈ 0.05 % per op): rtol 5e-3. Gradients are compared by the cosine of the whole
/// gradient vectors: per-element errors of ~1 % barely turn a vector, so > 0.99 (bf16) and > 0.999 (fp16).</para>
[Collection(SerialTorchCollection.Name)]
public sealed class MixedPrecisionModelTests(ITestOutputHelper output)
{
    private static SltInputs TwoSamples()
    {
        var (labels, _, _) = ModelTestData.Tokens(ModelTestData.Sentences);
        return new SltInputs(ModelTestData.TwoClips(), labels);
    }

    /// Loss and flattened gradients (parameters in registration order) of one forward/backward.
    private static (double Loss, Tensor Gradients) LossAndGradients(nn.Module model, IReadOnlyList<Parameter> parameters, Func<Tensor> loss, ScalarType? amp)
    {
        model.zero_grad();
        Tensor value;
        using (amp is ScalarType low ? Autocast.Enter(low) : Autocast.Disable())
            value = loss();
        Assert.Equal(ScalarType.Float32, value.dtype);
        value.backward();
        var gradients = cat(parameters.Select(p => p.grad!.flatten()).ToArray());
        return (value.item<float>(), gradients);
    }

    private static double Cosine(Tensor a, Tensor b)
        => (a.dot(b) / (a.norm() * b.norm())).item<float>();

    [Theory]
    [InlineData(ScalarType.BFloat16, 2e-2, 0.99)]
    [InlineData(ScalarType.Float16, 5e-3, 0.999)]
    public void SignTranslationModel_LowPrecisionAndFloat32_SameLossAndGradientDirection(ScalarType low, double rtol, double minCosine)
    {
        manual_seed(1);
        using var model = new SignTranslationModel(ModelTestData.TinySlt());
        model.train();
        using var scope = NewDisposeScope();
        var inputs = TwoSamples();
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();

        var (loss32, grads32) = LossAndGradients(model, parameters, () => model.call(inputs).Loss!, null);
        var (lossLow, gradsLow) = LossAndGradients(model, parameters, () => model.call(inputs).Loss!, low);

        double relative = Math.Abs(lossLow - loss32) / Math.Abs(loss32);
        double cosine = Cosine(grads32, gradsLow);
        output.WriteLine($"{low}: loss fp32 {loss32:F6}, low {lossLow:F6}, relative {relative:E2}; gradient cosine {cosine:F6}");
        Assert.True(relative <= rtol, $"loss {lossLow} under {low} vs {loss32} in float32: relative difference {relative:E2} > {rtol}");
        Assert.NotEqual(loss32, lossLow); // the low-precision run really rounded somewhere
        Assert.True(cosine > minCosine, $"gradient cosine similarity {cosine} ≤ {minCosine}");
        Assert.True(gradsLow.isfinite().all().item<bool>());
    }

    [Fact]
    public void SignTranslationModel_BFloat16Autocast_Float32ParametersGradientsAndOutputs()
    {
        using var model = new SignTranslationModel(ModelTestData.TinySlt());
        using var scope = NewDisposeScope();
        SltOutput result;
        using (Autocast.Enter(ScalarType.BFloat16))
            result = model.call(TwoSamples());
        result.Loss!.backward();

        Assert.Equal(ScalarType.Float32, result.Logits.dtype);
        Assert.Equal(ScalarType.Float32, result.EncoderHiddenStates.dtype); // the final layer norm's output
        Assert.Equal(ScalarType.Float32, result.Loss.dtype);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        Assert.NotEmpty(trainable);
        Assert.All(trainable, p => Assert.Equal(ScalarType.Float32, p.grad!.dtype));
    }

    [Fact]
    public void MBartAttention_BFloat16AutocastWithFloat32PaddingMask_LowPrecisionOutput()
    {
        using var attention = new MBartAttention(16, 4, 0.0, 0.1);
        using var scope = NewDisposeScope();
        var x = randn(2, 5, 16);
        var mask = MBartMasks.Padding(tensor(new long[,] { { 1, 1, 1, 1, 1 }, { 1, 1, 0, 0, 0 } }), ScalarType.Float32);
        Tensor y;
        using (Autocast.Enter(ScalarType.BFloat16))
            y = attention.call(x, null, mask, null);

        Assert.Equal(ScalarType.BFloat16, y.dtype);
        Assert.True(y.isfinite().all().item<bool>());
        var reference = attention.call(x, null, mask, null);
        Assert.True(y.to_type(ScalarType.Float32).allclose(reference, rtol: 5e-2, atol: 5e-2));
    }

    [Fact]
    public void SqueezeformerBlock_BFloat16Autocast_Float32OutputFromLowPrecisionAttention()
    {
        using var block = new Core.Modules.Squeezeformer.SqueezeformerBlock(ModelTestData.TinyFusion());
        using var attention = new Core.Modules.Squeezeformer.MultiHeadSelfAttention(16, 4, 0.0);
        using var scope = NewDisposeScope();
        int d = ModelTestData.TinyFusion().DModel;
        var mask = ModelTestData.Mask([6, 4], 6);
        Tensor blockOutput, attended;
        using (Autocast.Enter(ScalarType.BFloat16))
        {
            blockOutput = block.call(randn(2, 6, d), mask);
            attended = attention.call(randn(2, 6, 16), mask);
        }

        Assert.Equal(ScalarType.BFloat16, attended.dtype);
        Assert.Equal(ScalarType.Float32, blockOutput.dtype); // post-LN: the residual stream is float32
        Assert.True(blockOutput.isfinite().all().item<bool>());
    }

    [Fact]
    public void VisualLanguagePretrainer_BFloat16AndFloat32_SameLoss()
    {
        manual_seed(2);
        using var model = new VisualLanguagePretrainer(ModelTestData.TinyVlp());
        model.train();
        using var scope = NewDisposeScope();
        var (ids, mask, _) = ModelTestData.Tokens(ModelTestData.Sentences);
        var inputs = new VlpInputs(ModelTestData.TwoClips(), ids, mask);
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();

        var (loss32, grads32) = LossAndGradients(model, parameters, () => model.call(inputs).Loss, null);
        var (loss16, grads16) = LossAndGradients(model, parameters, () => model.call(inputs).Loss, ScalarType.BFloat16);

        double relative = Math.Abs(loss16 - loss32) / Math.Abs(loss32);
        double cosine = Cosine(grads32, grads16);
        output.WriteLine($"VLP: loss fp32 {loss32:F6}, bf16 {loss16:F6}, relative {relative:E2}; gradient cosine {cosine:F6}");
        Assert.True(relative <= 2e-2, $"InfoNCE {loss16} under bf16 vs {loss32}: relative difference {relative:E2}");
        Assert.True(cosine > 0.99, $"gradient cosine similarity {cosine}");
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void MBartEncoder_FullyPaddedRowUnderAutocast_FiniteOutput(ScalarType low)
    {
        // a row whose keys are all masked gets float32 min on every key; cast naively to the low type that is -inf
        // everywhere and softmax gives NaN — the attention converts the mask to the type's lowest finite value
        using var model = new MBartForConditionalGeneration(MBartConfig.Tiny);
        model.eval();
        using var scope = NewDisposeScope();
        var ids = tensor(new long[,] { { 5, 6, 7, 2 }, { 8, 9, 2, 1 } });
        var mask = tensor(new long[,] { { 1, 1, 1, 1 }, { 0, 0, 0, 0 } });
        Tensor hidden;
        using (Autocast.Enter(low))
            hidden = model.Encode(ids, null, mask);

        Assert.Equal(ScalarType.Float32, hidden.dtype);
        Assert.True(hidden.isfinite().all().item<bool>());
    }

    [Fact]
    public void Generate_BFloat16Autocast_SameShapesAndValidTokensAsFloat32()
    {
        manual_seed(4);
        using var model = new SignTranslationModel(ModelTestData.TinySlt());
        using var scope = NewDisposeScope();
        var visual = ModelTestData.TwoClips();
        var config = GenerationConfig.FromModel(model) with { DecoderStartTokenId = ModelTestData.Tokenizer.LanguageId("de_DE"), MaxNewTokens = 6, NumBeams = 2 };

        using var reference = model.Generate(visual, config);
        GenerationOutput generated;
        using (Autocast.Enter(ScalarType.BFloat16))
            generated = model.Generate(visual, config);

        using (generated)
        {
            Assert.Equal(reference.Sequences.Count, generated.Sequences.Count);
            Assert.All(generated.Sequences, s => Assert.All(s, id => Assert.InRange(id, 0, model.VocabSize - 1)));
            Assert.All(generated.Sequences, s => Assert.Equal((long)config.DecoderStartTokenId!.Value, s[0]));
        }
    }
}

using System.Text.Json;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Modules.Squeezeformer;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Modules.Squeezeformer;

public sealed class SqueezeformerFusionEncoderTests
{
    private const double Atol = 1e-5;

    // A: 6 keypoint frames, 4 SigLIP frames; B: 10 and 7 — B is longer in both streams, so A is padded in [A, B].
    private static ClipFeatures ClipA(SqueezeformerConfig c) => EncoderInputs.Clip(1, 6, 4, c);
    private static ClipFeatures ClipB(SqueezeformerConfig c) => EncoderInputs.Clip(2, 10, 7, c);

    /// A few training steps so that eval mode uses non-trivial batch-norm running statistics.
    private static void WarmUpRunningStatistics(SqueezeformerFusionEncoder encoder, SqueezeformerConfig config)
    {
        encoder.train();
        using (torch.no_grad())
        {
            for (ulong seed = 20; seed < 23; seed++)
            {
                using var scope = NewDisposeScope();
                EncoderInputs.Run(encoder, EncoderInputs.Pad([EncoderInputs.Clip(seed, 8, 5, config), EncoderInputs.Clip(seed + 10, 5, 3, config)])).Dispose();
            }
        }
        encoder.eval();
    }

    [Fact]
    public void Forward_TinyBatch_ReturnsHiddenOnKeypointAxisAndItsMask()
    {
        using var scope = NewDisposeScope();
        SqueezeformerConfig config = EncoderInputs.Tiny();
        using var encoder = new SqueezeformerFusionEncoder(config);
        encoder.eval();
        PaddedBatch batch = EncoderInputs.Pad([ClipA(config), ClipB(config)]);

        using FusionEncoderOutput output = EncoderInputs.Run(encoder, batch);

        Assert.Equal([2L, 10, config.DModel], output.Hidden.shape);
        Assert.Equal(ScalarType.Bool, output.Mask.dtype);
        Assert.Equal(batch.KeypointMask.data<bool>().ToArray(), output.Mask.data<bool>().ToArray());
        Assert.Equal(0.0, output.Hidden[0].narrow(0, 6, 4).abs().max().item<float>());   // A's padded frames
        Assert.True(output.Hidden[0].narrow(0, 0, 6).abs().max().item<float>() > 0);      // A's real frames
        Assert.True(output.Hidden.isfinite().all().item<bool>());
    }

    [Fact]
    public void Forward_EvalMode_SampleAloneOrPaddedNextToLongerSample_SameRealFrames()
    {
        using var scope = NewDisposeScope();
        SqueezeformerConfig config = EncoderInputs.Tiny(dropout: 0.1); // dropout is inactive in eval mode
        using var encoder = new SqueezeformerFusionEncoder(config);
        WarmUpRunningStatistics(encoder, config);
        ClipFeatures a = ClipA(config), b = ClipB(config);

        using FusionEncoderOutput aloneA = EncoderInputs.Run(encoder, EncoderInputs.Pad([a]));
        using FusionEncoderOutput aloneB = EncoderInputs.Run(encoder, EncoderInputs.Pad([b]));
        using FusionEncoderOutput together = EncoderInputs.Run(encoder, EncoderInputs.Pad([b, a], extraFrames: 3, extraSiglipFrames: 2));

        TensorAssert.Close(EncoderInputs.RealFrames(aloneA, 0, 6), EncoderInputs.RealFrames(together, 1, 6), Atol, "A alone vs padded in [B, A]");
        TensorAssert.Close(EncoderInputs.RealFrames(aloneB, 0, 10), EncoderInputs.RealFrames(together, 0, 10), Atol, "B alone vs padded in [B, A]");
    }

    [Fact]
    public void Forward_TrainingModeNoDropout_SampleAloneOrWithGarbagePadding_SameRealFramesAndRunningStatistics()
    {
        using var scope = NewDisposeScope();
        SqueezeformerConfig config = EncoderInputs.Tiny();
        using var encoder = new SqueezeformerFusionEncoder(config);
        using var twin = new SqueezeformerFusionEncoder(config);
        twin.load_state_dict(encoder.state_dict());
        encoder.train();
        twin.train();
        ClipFeatures a = ClipA(config);

        using FusionEncoderOutput exact = EncoderInputs.Run(encoder, EncoderInputs.Pad([a]));
        using FusionEncoderOutput padded = EncoderInputs.Run(twin, EncoderInputs.Pad([a], extraFrames: 9, extraSiglipFrames: 5));

        TensorAssert.Close(EncoderInputs.RealFrames(exact, 0, 6), EncoderInputs.RealFrames(padded, 0, 6), Atol, "A in training mode");
        for (int i = 0; i < config.NumBlocks; i++)
        {
            MaskedBatchNorm1d expected = encoder.Blocks[i].Conv.BatchNorm, actual = twin.Blocks[i].Conv.BatchNorm;
            TensorAssert.Close(expected.RunningMean, actual.RunningMean, 1e-6, $"block {i} running mean");
            TensorAssert.Close(expected.RunningVar, actual.RunningVar, 1e-6, $"block {i} running var");
        }
    }

    [Fact]
    public void Forward_TrainingModeNoDropout_BatchPaddedFurther_SameRealFrames()
    {
        // Batch-norm statistics in training mode are those of the batch's real frames, so the comparison keeps the
        // batch's samples and changes only how much (garbage) padding surrounds them.
        using var scope = NewDisposeScope();
        SqueezeformerConfig config = EncoderInputs.Tiny();
        using var encoder = new SqueezeformerFusionEncoder(config);
        encoder.train();
        ClipFeatures a = ClipA(config), b = ClipB(config);

        using FusionEncoderOutput tight = EncoderInputs.Run(encoder, EncoderInputs.Pad([a, b]));
        using FusionEncoderOutput loose = EncoderInputs.Run(encoder, EncoderInputs.Pad([a, b], extraFrames: 12, extraSiglipFrames: 6, garbageSeed: 8));

        TensorAssert.Close(EncoderInputs.RealFrames(tight, 0, 6), EncoderInputs.RealFrames(loose, 0, 6), Atol, "A");
        TensorAssert.Close(EncoderInputs.RealFrames(tight, 1, 10), EncoderInputs.RealFrames(loose, 1, 10), Atol, "B");
    }

    [Fact]
    public void Forward_SampleWithoutFrames_ItsOutputZeroAndOthersUnchanged()
    {
        using var scope = NewDisposeScope();
        SqueezeformerConfig config = EncoderInputs.Tiny();
        using var encoder = new SqueezeformerFusionEncoder(config);
        WarmUpRunningStatistics(encoder, config);
        ClipFeatures a = ClipA(config), empty = EncoderInputs.Clip(3, 0, 0, config);

        using FusionEncoderOutput alone = EncoderInputs.Run(encoder, EncoderInputs.Pad([a]));
        using FusionEncoderOutput withEmpty = EncoderInputs.Run(encoder, EncoderInputs.Pad([empty, a]));

        Assert.Equal(0.0, withEmpty.Hidden[0].abs().max().item<float>());
        TensorAssert.Close(alone.Hidden[0], withEmpty.Hidden[1], Atol, "A next to an empty sample");
    }

    [Fact]
    public void Forward_FloatMasks_SameAsBoolMasks()
    {
        using var scope = NewDisposeScope();
        SqueezeformerConfig config = EncoderInputs.Tiny();
        using var encoder = new SqueezeformerFusionEncoder(config);
        encoder.eval();
        PaddedBatch batch = EncoderInputs.Pad([ClipA(config), ClipB(config)]);

        using FusionEncoderOutput withBool = EncoderInputs.Run(encoder, batch);
        using FusionEncoderOutput withFloat = encoder.forward(batch.Keypoints, batch.KeypointMask.to_type(ScalarType.Float32),
            batch.Siglip, batch.SiglipMask.to_type(ScalarType.Float32));

        TensorAssert.Close(withBool.Hidden, withFloat.Hidden, 0, "hidden");
    }

    [Fact]
    public void Backward_LossOnOutput_EveryParameterGetsNonZeroGradient()
    {
        using var scope = NewDisposeScope();
        SqueezeformerConfig config = EncoderInputs.Tiny();
        using var encoder = new SqueezeformerFusionEncoder(config);
        encoder.train();
        PaddedBatch batch = EncoderInputs.Pad([ClipA(config), ClipB(config)]);
        using FusionEncoderOutput output = EncoderInputs.Run(encoder, batch);
        // a random projection of the output: sum(hidden) alone would be blind to a final LayerNorm with unit gain
        Tensor projection = torch.randn(output.Hidden.shape, generator: new Generator(4));

        (output.Hidden * projection).sum().backward();

        var missing = encoder.named_parameters()
            .Where(p => p.parameter.grad is null || p.parameter.grad.abs().sum().item<float>() == 0f)
            .Select(p => p.name)
            .ToList();
        Assert.True(encoder.named_parameters().Count() > 50, "expected the tiny encoder to have many parameter tensors");
        Assert.True(missing.Count == 0, $"parameters without gradient: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Encode_CollatedBatch_UsesCollatorMasks()
    {
        using var scope = NewDisposeScope();
        SqueezeformerConfig config = EncoderInputs.Tiny();
        using var encoder = new SqueezeformerFusionEncoder(config);
        encoder.eval();
        FeatureSample Sample(string name, int frames, int siglipFrames, int seed)
        {
            var random = new Random(seed);
            float[] Fill(int n) => Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
            return new FeatureSample(name, "text",
                new NpyArray(Fill(frames * FeatureSpec.KeypointDim), [frames, FeatureSpec.KeypointDim]),
                new NpyArray(Fill(siglipFrames * FeatureSpec.SiglipDim), [siglipFrames, FeatureSpec.SiglipDim]));
        }
        using PhoenixBatch batch = new Collator().Collate([Sample("a", 5, 3, 1), Sample("b", 9, 6, 2)]);
        using PhoenixBatch single = new Collator().Collate([Sample("a", 5, 3, 1)]);

        using FusionEncoderOutput output = encoder.Encode(batch);
        using FusionEncoderOutput alone = encoder.Encode(single);

        Assert.Equal([2L, 9, config.DModel], output.Hidden.shape);
        TensorAssert.Close(alone.Hidden[0], EncoderInputs.RealFrames(output, 0, 5), Atol, "sample a");
    }

    [Fact]
    public void Forward_WrongKeypointWidth_ThrowsNamingShape()
    {
        using var scope = NewDisposeScope();
        using var encoder = new SqueezeformerFusionEncoder(EncoderInputs.Tiny());

        var error = Assert.Throws<ArgumentException>(() => encoder.forward(
            torch.zeros(2, 5, 224), torch.ones(2, 5, dtype: ScalarType.Bool), torch.zeros(2, 3, 768), torch.ones(2, 3, dtype: ScalarType.Bool)));

        Assert.Contains("(2, 5, 224)", error.Message);
        Assert.Contains("225", error.Message);
    }

    [Fact]
    public void Forward_MismatchedSiglipMask_ThrowsNamingBothShapes()
    {
        using var scope = NewDisposeScope();
        using var encoder = new SqueezeformerFusionEncoder(EncoderInputs.Tiny());

        var error = Assert.Throws<ArgumentException>(() => encoder.forward(
            torch.zeros(2, 5, 225), torch.ones(2, 5, dtype: ScalarType.Bool), torch.zeros(2, 3, 768), torch.ones(2, 4, dtype: ScalarType.Bool)));

        Assert.Contains("(2, 4)", error.Message);
        Assert.Contains("(2, 3, 768)", error.Message);
    }
}

[Collection(SerialTorchCollection.Name)]
public sealed class SqueezeformerDeterminismTests
{
    [Fact]
    public void Constructor_SameSeed_SameWeightsAndOutputsIncludingDropout()
    {
        using var scope = NewDisposeScope();
        SqueezeformerConfig config = EncoderInputs.Tiny(dropout: 0.2);
        PaddedBatch batch = EncoderInputs.Pad([EncoderInputs.Clip(1, 6, 4, config), EncoderInputs.Clip(2, 8, 5, config)]);

        Tensor Run(long seed)
        {
            torch.manual_seed(seed);
            using var encoder = new SqueezeformerFusionEncoder(config);
            encoder.train(); // dropout active: the same seed must give the same masks
            torch.manual_seed(seed + 1);
            using FusionEncoderOutput output = EncoderInputs.Run(encoder, batch);
            return output.Hidden.detach().clone();
        }

        Tensor first = Run(42), second = Run(42), other = Run(43);

        TensorAssert.Close(first, second, 0, "same seed");
        Assert.True(TensorAssert.MaxAbsDiff(first, other) > 1e-3, "a different seed should give different weights");
    }
}

public sealed class SqueezeformerConfigTests
{
    [Fact]
    public void Base_Preset_HasSeedDefaults()
    {
        SqueezeformerConfig c = SqueezeformerConfig.Base;

        Assert.Equal((384, 4, 6, 31, 225, 768), (c.DModel, c.NumBlocks, c.NumAttentionHeads, c.ConvKernelSize, c.KeypointDim, c.SiglipDim));
        Assert.Same(c, SqueezeformerConfig.Preset("BASE"));
        Assert.Same(SqueezeformerConfig.Tiny, SqueezeformerConfig.Preset("tiny"));
    }

    [Fact]
    public void Base_ParameterCount_EqualsHandCountFromLayerShapes()
    {
        // Linear(i, o) = i·o + o, LayerNorm(n) = 2n, scaled input (D) = 2D; D = 384, FFN 4D = 1536, conv channels 2D = 768.
        //   keypoint_proj  Linear(225, 384) + LN(384)                 =     86,784 +    768 =     87,552
        //   siglip_proj    Linear(768, 384) + LN(384)                 =    295,296 +    768 =    296,064
        //   attention      4 × Linear(384, 384)                       = 4 × 147,840         =    591,360
        //   siglip layer   LN + attention + LN + Linear(384, 1536) + Linear(1536, 384)
        //                  = 768 + 591,360 + 768 + 591,360 + 590,208                        =  1,774,464
        //   siglip_encoder 2 layers + final LN(384)                   = 3,548,928 + 768      =  3,549,696
        //   fusion         Linear(768, 384)                           =                         295,296
        //   layer_norm     LN(384)                                    =                             768
        //   block: mhsa    scale 768 + attention 591,360                                      =    592,128
        //          ffn     scale 768 + Linear(384, 1536) 591,360 + Linear(1536, 384) 590,208 =  1,182,336 (× 2)
        //          conv    scale 768 + Conv1d(384→768, k 1) 295,680 + depthwise 768·31 (no bias) 23,808
        //                  + BatchNorm(768) 1,536 + Conv1d(768→384, k 1) 295,296             =    617,088
        //          4 × LN(384)                                                                =      3,072
        //          block = 592,128 + 2 × 1,182,336 + 617,088 + 3,072                          =  3,576,960
        //   blocks         4 × 3,576,960                                                      = 14,307,840
        //   total  87,552 + 296,064 + 3,549,696 + 295,296 + 768 + 14,307,840                 = 18,537,216
        static long Linear(long i, long o) => i * o + o;
        const long d = 384, f = 1536, c = 768, k = 31;
        long layerNorm = 2 * d, scaled = 2 * d, attention = 4 * Linear(d, d);
        long siglipLayer = layerNorm + attention + layerNorm + Linear(d, f) + Linear(f, d);
        long block = (scaled + attention) + 2 * (scaled + Linear(d, f) + Linear(f, d))
            + (scaled + Linear(d, c) + c * k + 2 * c + Linear(c, d)) + 4 * layerNorm;
        long expected = Linear(225, d) + layerNorm + Linear(768, d) + layerNorm + 2 * siglipLayer + layerNorm
            + Linear(2 * d, d) + layerNorm + 4 * block;
        Assert.Equal(18_537_216L, expected);

        using var encoder = new SqueezeformerFusionEncoder(SqueezeformerConfig.Base);

        Assert.Equal(expected, encoder.ParameterCount());
    }

    [Fact]
    public void Json_SnakeCaseNames_RoundTrip()
    {
        string json = JsonSerializer.Serialize(SqueezeformerConfig.Tiny);

        Assert.Contains("\"d_model\":32", json);
        Assert.Contains("\"conv_kernel_size\":5", json);
        Assert.DoesNotContain("FfnDim", json);
        Assert.Equal(SqueezeformerConfig.Tiny, JsonSerializer.Deserialize<SqueezeformerConfig>(json));
    }

    [Fact]
    public void Json_PartialConfig_KeepsBaseDefaultsForMissingFields()
    {
        var config = JsonSerializer.Deserialize<SqueezeformerConfig>("{\"d_model\": 256, \"num_attention_heads\": 4}")!;

        Assert.Equal((256, 4, 31, 4), (config.DModel, config.NumAttentionHeads, config.ConvKernelSize, config.NumBlocks));
    }

    [Theory]
    [InlineData("conv_kernel_size")]
    [InlineData("num_attention_heads")]
    [InlineData("dropout")]
    public void Validate_InvalidValue_NamesTheField(string field)
    {
        SqueezeformerConfig config = field switch
        {
            "conv_kernel_size" => SqueezeformerConfig.Base with { ConvKernelSize = 30 },
            "num_attention_heads" => SqueezeformerConfig.Base with { NumAttentionHeads = 5 },
            _ => SqueezeformerConfig.Base with { Dropout = 1.5 },
        };

        var error = Assert.Throws<ArgumentException>(() => config.Validate());

        Assert.Contains(field, error.Message);
    }
}

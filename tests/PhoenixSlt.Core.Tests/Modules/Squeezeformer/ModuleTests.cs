using PhoenixSlt.Core.Modules.Squeezeformer;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Modules.Squeezeformer;

public sealed class MultiHeadSelfAttentionTests
{
    private static void SetParameter(nn.Module module, string name, Tensor value)
    {
        using var noGrad = torch.no_grad();
        module.named_parameters().Single(p => p.name == name).parameter.copy_(value);
    }

    [Fact]
    public void Forward_ZeroQueryKeyProjections_AveragesRealFramesOnly()
    {
        using var scope = NewDisposeScope();
        using var attention = new MultiHeadSelfAttention(2, 1, 0.0);
        // q = k = 0 -> equal scores -> uniform weights over the real keys; v and out are identities
        foreach (string name in new[] { "q_proj", "k_proj", "v_proj", "out_proj" })
        {
            SetParameter(attention, $"{name}.weight", name is "v_proj" or "out_proj" ? torch.eye(2) : torch.zeros(2, 2));
            SetParameter(attention, $"{name}.bias", torch.zeros(2));
        }
        // frames (1, 2), (3, 6) real; (1000, −1000) padded
        Tensor x = torch.tensor(new float[] { 1, 2, 3, 6, 1000, -1000 }, [1, 3, 2]);
        Tensor mask = torch.tensor(new[] { true, true, false }, [1, 3]);

        Tensor y = attention.forward(x, mask);

        // every query: mean of the real frames = (2, 4)
        Assert.Equal([2f, 4, 2, 4, 2, 4], TensorAssert.Values(y));
    }

    [Fact]
    public void Forward_ExtraPaddedKeys_RealFramesUnchanged()
    {
        using var scope = NewDisposeScope();
        using var attention = new MultiHeadSelfAttention(16, 4, 0.0);
        var generator = new Generator(11);
        Tensor real = torch.randn([1, 5, 16], generator: generator);
        Tensor padded = torch.cat([real, torch.randn([1, 4, 16], generator: generator) * 1000], 1);

        Tensor alone = attention.forward(real, torch.ones(1, 5, dtype: ScalarType.Bool));
        Tensor withPadding = attention.forward(padded, EncoderInputs.Mask([5], 9));

        TensorAssert.Close(alone, withPadding.narrow(1, 0, 5), 1e-5, "real frames");
    }

    [Fact]
    public void Forward_RowWithoutRealKeys_StaysFinite()
    {
        using var scope = NewDisposeScope();
        using var attention = new MultiHeadSelfAttention(8, 2, 0.0);
        Tensor x = torch.randn([2, 3, 8], generator: new Generator(2));
        Tensor mask = EncoderInputs.Mask([3, 0], 3);

        Tensor y = attention.forward(x, mask);

        Assert.True(y.isfinite().all().item<bool>());
    }

    [Fact]
    public void Constructor_WidthNotDivisibleByHeads_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new MultiHeadSelfAttention(10, 4, 0.0));
        Assert.Contains("10", error.Message);
    }
}

public sealed class ConvModuleTests
{
    [Fact]
    public void Constructor_BasePreset_DepthwiseKernel31GroupsEqualChannels()
    {
        SqueezeformerConfig config = SqueezeformerConfig.Base;
        using var conv = new ConvModule(config.DModel, config.ConvExpansionFactor, config.ConvKernelSize, 0.0, 1e-5, 0.1);

        // a depthwise Conv1d has weight (C_out, C_in / groups, k) = (768, 1, 31): one 31-tap filter per channel
        Assert.Equal([768L, 1, 31], conv.DepthwiseConv.weight!.shape);
        Assert.Null(conv.DepthwiseConv.bias);
        Assert.Equal(768, conv.DepthwiseChannels);
        Assert.Equal(31, conv.KernelSize);
    }

    [Fact]
    public void Forward_PerturbOneFrame_ChangesOnlyFramesWithinHalfKernel()
    {
        using var scope = NewDisposeScope();
        const int kernel = 5, frames = 12, changed = 6;
        using var conv = new ConvModule(4, 2, kernel, 0.0, 1e-5, 0.1);
        conv.eval();
        var generator = new Generator(5);
        Tensor x = torch.randn([1, frames, 4], generator: generator);
        Tensor perturbed = x.clone();
        using (torch.no_grad())
            perturbed[0, changed].add_(torch.ones(4) * 3);
        Tensor mask = torch.ones(1, frames, dtype: ScalarType.Bool);

        Tensor delta = (conv.forward(perturbed, mask) - conv.forward(x, mask)).abs().sum(-1)[0]; // (T)

        float[] d = TensorAssert.Values(delta);
        for (int t = 0; t < frames; t++)
        {
            if (Math.Abs(t - changed) <= (kernel - 1) / 2)
                Assert.True(d[t] > 1e-6, $"frame {t} inside the receptive field did not change");
            else
                Assert.Equal(0f, d[t]);
        }
    }

    [Fact]
    public void Forward_TrainingWithGarbagePadding_RealFramesUnchanged()
    {
        using var scope = NewDisposeScope();
        using var conv = new ConvModule(8, 2, 5, 0.0, 1e-5, 0.1);
        using var twin = new ConvModule(8, 2, 5, 0.0, 1e-5, 0.1);
        twin.load_state_dict(conv.state_dict());
        conv.train();
        twin.train();
        var generator = new Generator(9);
        Tensor real = torch.randn([2, 6, 8], generator: generator);
        Tensor realMask = EncoderInputs.Mask([6, 4], 6);
        Tensor padded = torch.cat([real, torch.randn([2, 5, 8], generator: generator) * 500], 1);
        using (torch.no_grad())
            padded[1].narrow(0, 4, 2).copy_(torch.full([2, 8], -700f)); // row 1's own padding is garbage too
        Tensor paddedMask = EncoderInputs.Mask([6, 4], 11);

        Tensor a = conv.forward(real, realMask);
        Tensor b = twin.forward(padded, paddedMask);

        TensorAssert.Close(a[0], b[0].narrow(0, 0, 6), 1e-5, "row 0");
        TensorAssert.Close(a[1].narrow(0, 0, 4), b[1].narrow(0, 0, 4), 1e-5, "row 1");
        TensorAssert.Close(conv.BatchNorm.RunningMean, twin.BatchNorm.RunningMean, 1e-6, "running mean");
        TensorAssert.Close(conv.BatchNorm.RunningVar, twin.BatchNorm.RunningVar, 1e-6, "running var");
    }
}

public sealed class SinusoidalPositionalEncodingTests
{
    [Fact]
    public void Table_WidthFour_SineAndCosineAtHandComputedFrequencies()
    {
        using var scope = NewDisposeScope();
        // D = 4: frequencies 1/10000^(0/4) = 1 and 1/10000^(2/4) = 1/100
        Tensor table = SinusoidalPositionalEncoding.Table(4, 4, 10000.0);

        float[] v = TensorAssert.Values(table);
        for (int t = 0; t < 4; t++)
        {
            Assert.Equal(Math.Sin(t), v[t * 4 + 0], 6);
            Assert.Equal(Math.Cos(t), v[t * 4 + 1], 6);
            Assert.Equal(Math.Sin(t / 100.0), v[t * 4 + 2], 6);
            Assert.Equal(Math.Cos(t / 100.0), v[t * 4 + 3], 6);
        }
    }

    [Fact]
    public void Forward_AddsTheSameTableToEveryRow()
    {
        using var scope = NewDisposeScope();
        using var positions = new SinusoidalPositionalEncoding(6, 10000.0);

        Tensor y = positions.forward(torch.zeros(2, 3, 6));

        TensorAssert.Close(SinusoidalPositionalEncoding.Table(3, 6, 10000.0), y[0], 0, "row 0");
        TensorAssert.Close(y[0], y[1], 0, "row 1");
    }
}

public sealed class GatedFusionTests
{
    private static GatedFusion WithGate(int d, float bias)
    {
        var fusion = new GatedFusion(d);
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in fusion.named_parameters())
        {
            if (name == "gate.weight")
                p.zero_();
            else
                p.fill_(bias);
        }
        return fusion;
    }

    [Fact]
    public void Forward_ZeroGate_AveragesStreams()
    {
        using var scope = NewDisposeScope();
        using GatedFusion fusion = WithGate(2, 0f);
        Tensor k = torch.tensor(new float[] { 2, 4 }, [1, 1, 2]);
        Tensor s = torch.tensor(new float[] { 6, -4 }, [1, 1, 2]);

        // g = sigmoid(0) = 0.5 -> (k + s) / 2
        Assert.Equal([4f, 0], TensorAssert.Values(fusion.forward(k, s)));
    }

    [Fact]
    public void Forward_SaturatedGate_SelectsOneStream()
    {
        using var scope = NewDisposeScope();
        Tensor k = torch.tensor(new float[] { 2, 4 }, [1, 1, 2]);
        Tensor s = torch.tensor(new float[] { 6, -4 }, [1, 1, 2]);
        using GatedFusion open = WithGate(2, 40f);
        using GatedFusion closed = WithGate(2, -40f);

        // sigmoid(±40) is 1 and ~4e-18: the keypoint stream, then the SigLIP stream
        TensorAssert.Close(k, open.forward(k, s), 1e-6, "gate open");
        TensorAssert.Close(s, closed.forward(k, s), 1e-6, "gate closed");
    }
}

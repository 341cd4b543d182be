using PhoenixSlt.Core.Amp;
using PhoenixSlt.Core.Tests.Modules.MBart;
using SerialTorchCollection = PhoenixSlt.Core.Tests.Modules.Squeezeformer.SerialTorchCollection;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Amp;

/// Outside autocast the AMP layers must be TorchSharp's layers (same initialisation, names, bits); inside they compute
/// in the low-precision type on float32 master weights.
[Collection(SerialTorchCollection.Name)]
public sealed class AmpModuleTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AmpLinear_SameSeedAsNnLinear_SameParametersAndNames(bool hasBias)
    {
        manual_seed(7);
        using var reference = nn.Linear(6, 5, hasBias);
        manual_seed(7);
        using var linear = new AmpLinear(6, 5, hasBias);

        var expected = reference.state_dict();
        var actual = linear.state_dict();

        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, tensor) in expected)
            TensorAssert.Equal(actual[name], tensor, $"{name} differs");
        Assert.Equal(expected.Count, linear.parameters().Count());
    }

    [Fact]
    public void AmpLinear_Inactive_ForwardAndGradientsBitIdenticalToNnLinear()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var reference = nn.Linear(8, 4);
        manual_seed(3);
        var linear = new AmpLinear(8, 4);
        var x = randn(2, 3, 8);

        var expected = reference.call(x);
        var actual = linear.call(x);
        expected.square().sum().backward();
        actual.square().sum().backward();

        TensorAssert.Equal(actual, expected, "output");
        TensorAssert.Equal(linear.weight.grad!, reference.weight.grad!, "weight gradient");
        TensorAssert.Equal(linear.bias!.grad!, reference.bias!.grad!, "bias gradient");
    }

    [Fact]
    public void AmpLinear_LoadsAnNnLinearStateDict()
    {
        using var scope = NewDisposeScope();
        var reference = nn.Linear(4, 3);
        var linear = new AmpLinear(4, 3);

        linear.load_state_dict(reference.state_dict());

        TensorAssert.Equal(reference.weight, linear.weight, "weight");
        TensorAssert.Equal(reference.bias!, linear.bias!, "bias");
    }

    [Fact]
    public void AmpLinear_BFloat16Autocast_LowPrecisionOutputFloat32WeightsAndGradients()
    {
        using var scope = NewDisposeScope();
        var linear = new AmpLinear(16, 8);
        var x = randn(4, 16);
        Tensor y;
        using (Autocast.Enter(ScalarType.BFloat16))
            y = linear.call(x);

        y.to_type(ScalarType.Float32).sum().backward();

        Assert.Equal(ScalarType.BFloat16, y.dtype);
        Assert.Equal(ScalarType.Float32, linear.weight.dtype);
        Assert.Equal(ScalarType.Float32, linear.weight.grad!.dtype);
        Assert.Equal(ScalarType.Float32, linear.bias!.grad!.dtype);
        // d(sum y)/dW[o, i] = sum_b x[b, i] for every o; bf16 rounds x to 8 significant bits (relative error ≤ 2^-8
        // per element) and the sum of four terms adds at most one more rounding of the same size
        var expected = x.sum([0L]).unsqueeze(0).expand(8, 16);
        var error = (linear.weight.grad - expected).abs().max().item<float>();
        Assert.True(error <= 4 * Math.Pow(2, -8) * x.abs().max().item<float>(), $"max weight-gradient error {error}");
        TensorAssert.Equal(full(8, 4f), linear.bias.grad, "bias gradient"); // d(sum y)/db = batch size, exact in bf16
    }

    [Fact]
    public void AmpLinear_BFloat16Autocast_OutputMatchesExplicitBFloat16Computation()
    {
        using var scope = NewDisposeScope();
        var linear = new AmpLinear(16, 8);
        var x = randn(4, 16);
        Tensor y;
        using (Autocast.Enter(ScalarType.BFloat16))
            y = linear.call(x);

        var expected = nn.functional.linear(x.to_type(ScalarType.BFloat16), linear.weight.to_type(ScalarType.BFloat16), linear.bias!.to_type(ScalarType.BFloat16));

        TensorAssert.Equal(expected, y, "bf16 output");
    }

    [Fact]
    public void AmpLinear_ModuleTo_MovesParametersStateDictAndGradients()
    {
        using var scope = NewDisposeScope();
        var linear = new AmpLinear(3, 2);
        var before = linear.weight.detach().clone();

        linear.to(ScalarType.Float64);

        Assert.Equal(ScalarType.Float64, linear.weight.dtype);
        Assert.Equal(ScalarType.Float64, linear.bias!.dtype);
        Assert.All(linear.state_dict().Values, t => Assert.Equal(ScalarType.Float64, t.dtype));
        Assert.All(linear.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        TensorAssert.Equal(before, linear.weight.to_type(ScalarType.Float32), "converted weight");
        Assert.Equal(ScalarType.Float64, linear.call(ones(1, 3, dtype: ScalarType.Float64)).dtype);
    }

    [Fact]
    public void AmpConv1d_SameSeedAsNnConv1d_SameParametersAndBitIdenticalOutput()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var reference = nn.Conv1d(6, 6, 5, padding: 2, groups: 6, bias: false);
        manual_seed(5);
        var conv = new AmpConv1d(6, 6, 5, padding: 2, groups: 6, bias: false);
        var x = randn(2, 6, 11);

        Assert.Equal(["weight"], conv.state_dict().Keys);
        TensorAssert.Equal(conv.weight, reference.weight!, "weight");
        Assert.Null(conv.bias);
        TensorAssert.Equal(conv.call(x), reference.call(x), "output");
    }

    [Fact]
    public void AmpConv1d_PointwiseWithBias_BitIdenticalToNnConv1d()
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        var reference = nn.Conv1d(4, 8, 1);
        manual_seed(9);
        var conv = new AmpConv1d(4, 8, 1);
        var x = randn(3, 4, 7);

        Assert.Equal(reference.state_dict().Keys, conv.state_dict().Keys);
        TensorAssert.Equal(conv.call(x), reference.call(x), "output");
    }

    [Fact]
    public void AmpConv1d_BFloat16Autocast_LowPrecisionOutputFloat32Gradients()
    {
        using var scope = NewDisposeScope();
        var conv = new AmpConv1d(4, 4, 3, padding: 1, groups: 4);
        Tensor y;
        using (Autocast.Enter(ScalarType.BFloat16))
            y = conv.call(randn(2, 4, 9));
        y.to_type(ScalarType.Float32).sum().backward();

        Assert.Equal(ScalarType.BFloat16, y.dtype);
        Assert.Equal([2L, 4, 9], y.shape);
        Assert.Equal(ScalarType.Float32, conv.weight.grad!.dtype);
    }

    [Fact]
    public void AmpConv1d_GroupsNotDividingChannels_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new AmpConv1d(6, 4, 3, groups: 4));
        Assert.Contains("divisible by groups 4", e.Message);
    }

    [Fact]
    public void AmpLayerNorm_Inactive_BitIdenticalToNnLayerNorm()
    {
        using var scope = NewDisposeScope();
        var reference = nn.LayerNorm(6, 1e-5);
        var norm = new AmpLayerNorm(6, 1e-5);
        using (no_grad())
        {
            var weight = randn(6);
            var bias = randn(6);
            reference.weight.copy_(weight);
            norm.weight.copy_(weight);
            reference.bias!.copy_(bias);
            norm.bias.copy_(bias);
        }
        var x = randn(2, 3, 6) * 4 + 1;

        Assert.Equal(reference.state_dict().Keys, norm.state_dict().Keys);
        TensorAssert.Equal(norm.call(x), reference.call(x), "output");
    }

    [Fact]
    public void AmpLayerNorm_BFloat16InputUnderAutocast_Float32OutputOfTheWidenedInput()
    {
        using var scope = NewDisposeScope();
        var norm = new AmpLayerNorm(8);
        var x = (randn(3, 8) * 3).to_type(ScalarType.BFloat16);
        Tensor y;
        using (Autocast.Enter(ScalarType.BFloat16))
            y = norm.call(x);

        Assert.Equal(ScalarType.Float32, y.dtype);
        TensorAssert.Equal(nn.functional.layer_norm(x.to_type(ScalarType.Float32), [8], norm.weight, norm.bias, 1e-5), y, "output");
    }

    [Fact]
    public void AmpLayerNorm_Float32InputUnderAutocast_StaysFloat32()
    {
        using var scope = NewDisposeScope();
        var norm = new AmpLayerNorm(4);
        var x = randn(2, 4);
        Tensor y;
        using (Autocast.Enter(ScalarType.Float16))
            y = norm.call(x);

        Assert.Equal(ScalarType.Float32, y.dtype);
        TensorAssert.Equal(norm.call(x), y, "output");
    }
}

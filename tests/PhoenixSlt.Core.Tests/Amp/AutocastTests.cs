using PhoenixSlt.Core.Amp;
using PhoenixSlt.Core.Tests.Modules.MBart;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Amp;

public sealed class AutocastTests
{
    [Fact]
    public void Enter_BFloat16_ActiveWithThatDtypeUntilDisposed()
    {
        Assert.False(Autocast.IsActive);

        using (Autocast.Enter(ScalarType.BFloat16))
        {
            Assert.True(Autocast.IsActive);
            Assert.Equal(ScalarType.BFloat16, Autocast.Dtype);
        }

        Assert.False(Autocast.IsActive);
        Assert.Null(Autocast.Dtype);
    }

    [Fact]
    public void Enter_NestedRegion_DisposingInnerRestoresOuter()
    {
        using var outer = Autocast.Enter(ScalarType.BFloat16);

        using (Autocast.Enter(ScalarType.Float16))
            Assert.Equal(ScalarType.Float16, Autocast.Dtype);

        Assert.Equal(ScalarType.BFloat16, Autocast.Dtype);
    }

    [Fact]
    public void Disable_InsideRegion_InactiveThenOuterRestored()
    {
        using var outer = Autocast.Enter(ScalarType.BFloat16);

        using (Autocast.Disable())
            Assert.False(Autocast.IsActive);

        Assert.Equal(ScalarType.BFloat16, Autocast.Dtype);
    }

    [Fact]
    public void Dispose_Twice_SecondCallChangesNothing()
    {
        var region = Autocast.Enter(ScalarType.BFloat16);
        region.Dispose();
        using var later = Autocast.Enter(ScalarType.Float16);

        region.Dispose();

        Assert.Equal(ScalarType.Float16, Autocast.Dtype);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Int64)]
    public void Enter_NotLowPrecision_ThrowsNamingTheAllowedTypes(ScalarType dtype)
    {
        var e = Assert.Throws<ArgumentException>(() => Autocast.Enter(dtype));
        Assert.Contains("Float16 or BFloat16", e.Message);
        Assert.Contains(dtype.ToString(), e.Message);
        Assert.False(Autocast.IsActive);
    }

    [Fact]
    public void IsActive_ThreadRunningBeforeTheRegion_SeesNoAutocast()
    {
        using var entered = new ManualResetEventSlim();
        bool? observed = null;
        var worker = new Thread(() =>
        {
            entered.Wait();
            observed = Autocast.IsActive;
        });
        worker.Start();

        using (Autocast.Enter(ScalarType.BFloat16))
        {
            entered.Set();
            Assert.True(worker.Join(TimeSpan.FromSeconds(10)));
        }

        Assert.False(observed);
    }

    [Fact]
    public async Task IsActive_TaskStartedInsideTheRegion_FollowsTheRegion()
    {
        using var region = Autocast.Enter(ScalarType.Float16);

        var seen = await Task.Run(() => Autocast.Dtype);

        Assert.Equal(ScalarType.Float16, seen);
    }

    [Fact]
    public void ForMatmul_Inactive_ReturnsTheSameTensor()
    {
        using var x = randn(3, 4);

        Assert.Same(x, Autocast.ForMatmul(x));
    }

    [Fact]
    public void ForMatmul_ActiveFloat32_CastsToTheLowDtype()
    {
        using var scope = NewDisposeScope();
        var x = randn(3, 4);
        using var region = Autocast.Enter(ScalarType.BFloat16);

        var cast = Autocast.ForMatmul(x);

        Assert.Equal(ScalarType.BFloat16, cast.dtype);
        TensorAssert.Equal(x.to_type(ScalarType.BFloat16), cast, "cast");
    }

    [Fact]
    public void ForMatmul_ActiveIntegerTensor_ReturnsTheSameTensor()
    {
        using var ids = tensor(new long[] { 1, 2, 3 });
        using var region = Autocast.Enter(ScalarType.BFloat16);

        Assert.Same(ids, Autocast.ForMatmul(ids));
    }

    [Fact]
    public void ForMatmul_RequiresGrad_GradientReachesTheFloat32Leaf()
    {
        using var scope = NewDisposeScope();
        var w = randn(4, 3).requires_grad_();
        using (Autocast.Enter(ScalarType.BFloat16))
            Autocast.ForMatmul(w).to_type(ScalarType.Float32).sum().backward();

        Assert.NotNull(w.grad);
        Assert.Equal(ScalarType.Float32, w.grad!.dtype);
        TensorAssert.Equal(ones(4, 3), w.grad, "leaf gradient");
    }

    [Fact]
    public void ForMatmul_ParameterWithGradientsOff_OneCastPerRegionFreedOnExit()
    {
        using var weight = nn.Parameter(randn(4, 3));
        Tensor first, second;
        using (Autocast.Enter(ScalarType.BFloat16))
        using (no_grad())
        {
            first = Autocast.ForMatmul(weight);
            second = Autocast.ForMatmul(weight);
            Assert.Same(first, second);
            Assert.Equal(ScalarType.BFloat16, first.dtype);
        }

        Assert.True(first.IsInvalid); // the region freed its copy
        Assert.False(weight.IsInvalid);
    }

    [Fact]
    public void ForMatmul_ParameterWithGradientsOn_NewDifferentiableCastEachTime()
    {
        using var scope = NewDisposeScope();
        var weight = nn.Parameter(randn(4, 3));
        using var region = Autocast.Enter(ScalarType.BFloat16);

        var first = Autocast.ForMatmul(weight);
        var second = Autocast.ForMatmul(weight);

        Assert.NotSame(first, second);
        Assert.True(first.requires_grad);
    }

    [Fact]
    public void ForMatmul_ActivationWithGradientsOff_NotCached()
    {
        using var scope = NewDisposeScope();
        var x = randn(4, 3);
        using var region = Autocast.Enter(ScalarType.Float16);
        using var noGrad = no_grad();

        Assert.NotSame(Autocast.ForMatmul(x), Autocast.ForMatmul(x));
    }

    [Fact]
    public void ToFloat32_InactiveBFloat16_ReturnsTheSameTensor()
    {
        using var x = randn(3).to_type(ScalarType.BFloat16);

        Assert.Same(x, Autocast.ToFloat32(x));
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void ToFloat32_ActiveLowPrecision_Float32WithTheSameValues(ScalarType low)
    {
        using var scope = NewDisposeScope();
        var x = randn(5).to_type(low);
        using var region = Autocast.Enter(low);

        var up = Autocast.ToFloat32(x);

        Assert.Equal(ScalarType.Float32, up.dtype);
        TensorAssert.Equal(x, up.to_type(low), "round trip"); // widening is exact
    }

    [Fact]
    public void ToFloat32_ActiveFloat64_ReturnsTheSameTensor()
    {
        using var x = randn(3, dtype: ScalarType.Float64);
        using var region = Autocast.Enter(ScalarType.BFloat16);

        Assert.Same(x, Autocast.ToFloat32(x));
    }

    [Theory]
    [InlineData(ScalarType.Float16, -65504.0)]
    [InlineData(ScalarType.BFloat16, -3.3895313892515355e38)]
    public void AttentionMask_Float32Minimum_BecomesTheLowestFiniteValueNotInfinity(ScalarType low, double lowest)
    {
        using var scope = NewDisposeScope();
        var mask = tensor(new[] { 0f, float.MinValue, -1e3f });
        // the reason for the conversion: a plain cast overflows to -inf
        Assert.True(mask.to_type(low).isinf().any().item<bool>());

        var converted = Autocast.AttentionMask(mask, low)!;

        Assert.Equal(low, converted.dtype);
        var values = converted.to_type(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(0.0, values[0]);
        Assert.Equal(lowest, values[1], lowest * -1e-12);
        Assert.Equal(-1e3, values[2]); // -1000 is exact in both types
    }

    [Fact]
    public void AttentionMask_BoolNullOrSameDtype_ReturnsTheInput()
    {
        using var boolMask = ones(2, 3, dtype: ScalarType.Bool);
        using var halfMask = zeros(2, 3, dtype: ScalarType.Float16);

        Assert.Same(boolMask, Autocast.AttentionMask(boolMask, ScalarType.Float16));
        Assert.Same(halfMask, Autocast.AttentionMask(halfMask, ScalarType.Float16));
        Assert.Null(Autocast.AttentionMask(null, ScalarType.Float16));
    }

    [Fact]
    public void AttentionMask_FullyMaskedRowsInFloat16Attention_FiniteAveragesOfTheValues()
    {
        using var scope = NewDisposeScope();
        var q = randn(1, 1, 2, 4).to_type(ScalarType.Float16);
        var k = randn(1, 1, 3, 4).to_type(ScalarType.Float16);
        var v = arange(3 * 4, dtype: ScalarType.Float32).view(1, 1, 3, 4).to_type(ScalarType.Float16);
        var mask = full(new long[] { 1, 1, 2, 3 }, float.MinValue); // every key masked for both queries

        var context = nn.functional.scaled_dot_product_attention(q, k, v, Autocast.AttentionMask(mask, ScalarType.Float16), 0.0);

        // finite softmax weights: each output is a convex combination of v's rows (v[j, c] = 4j + c)
        var values = context.to_type(ScalarType.Float32);
        Assert.True(values.isfinite().all().item<bool>());
        var lower = v.to_type(ScalarType.Float32).amin([2], keepdim: true);
        var upper = v.to_type(ScalarType.Float32).amax([2], keepdim: true);
        Assert.True(values.ge(lower - 1e-2).logical_and(values.le(upper + 1e-2)).all().item<bool>());
    }
}

using PhoenixSlt.Core.Modules.Squeezeformer;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Modules.Squeezeformer;

public sealed class TemporalInterpolationTests
{
    private static Tensor Lengths(params long[] values) => torch.tensor(values);

    [Fact]
    public void AlignCorners_ThreeToFiveFrames_MatchesHandComputedValues()
    {
        using var scope = NewDisposeScope();
        // source [0, 10, 40]; target i reads p = i·(3−1)/(5−1) = i/2: p = 0, 0.5, 1, 1.5, 2
        // -> 0, (0+10)/2 = 5, 10, (10+40)/2 = 25, 40
        Tensor values = torch.tensor(new float[] { 0, 10, 40 }, [1, 3, 1]);

        Tensor result = TemporalInterpolation.AlignCorners(values, Lengths(3), Lengths(5), 5);

        Assert.Equal([1L, 5, 1], result.shape);
        Assert.Equal([0f, 5, 10, 25, 40], TensorAssert.Values(result));
    }

    [Fact]
    public void AlignCorners_TwoToFourFrames_ThirdsBetweenEndpoints()
    {
        using var scope = NewDisposeScope();
        // p = i·1/3: 0, 1/3, 2/3, 1 between 0 and 30 -> 0, 10, 20, 30 (two channels: second is 1 − first/30)
        Tensor values = torch.tensor(new float[] { 0, 1, 30, 0 }, [1, 2, 2]);

        Tensor result = TemporalInterpolation.AlignCorners(values, Lengths(2), Lengths(4), 4);

        float[] v = TensorAssert.Values(result);
        float[] expected = [0, 1, 10, 2f / 3, 20, 1f / 3, 30, 0];
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], v[i], 5);
    }

    [Fact]
    public void AlignCorners_FiveToThreeFrames_KeepsEndpointsAndMiddle()
    {
        using var scope = NewDisposeScope();
        // p = i·4/2 = 0, 2, 4: integer positions read source frames exactly
        Tensor values = torch.tensor(new float[] { 3, 1, 4, 1, 5 }, [1, 5, 1]);

        Tensor result = TemporalInterpolation.AlignCorners(values, Lengths(5), Lengths(3), 3);

        Assert.Equal([3f, 4, 5], TensorAssert.Values(result));
    }

    [Fact]
    public void AlignCorners_PerSampleLengths_NeverReadsPaddingAndZeroesPaddedTargets()
    {
        using var scope = NewDisposeScope();
        // sample 0: 3 real source frames [0, 10, 40] + padding 999, 5 real targets of 6
        // sample 1: 4 real source frames [1, 2, 3, 4], 2 real targets: p = 0, 3 -> 1, 4
        Tensor values = torch.tensor(new float[] { 0, 10, 40, 999, 1, 2, 3, 4 }, [2, 4, 1]);

        Tensor result = TemporalInterpolation.AlignCorners(values, Lengths(3, 4), Lengths(5, 2), 6);

        Assert.Equal([2L, 6, 1], result.shape);
        Assert.Equal([0f, 5, 10, 25, 40, 0, 1, 4, 0, 0, 0, 0], TensorAssert.Values(result));
    }

    [Fact]
    public void AlignCorners_SingleTargetOrSingleSource_UsesFirstFrame()
    {
        using var scope = NewDisposeScope();
        // align_corners with one output frame reads p = 0; one source frame is repeated
        Tensor values = torch.tensor(new float[] { 7, 8, 9, 6, 0, 0 }, [2, 3, 1]);

        Tensor result = TemporalInterpolation.AlignCorners(values, Lengths(3, 1), Lengths(1, 3), 3);

        Assert.Equal([7f, 0, 0, 6, 6, 6], TensorAssert.Values(result));
    }

    [Fact]
    public void AlignCorners_NoSourceFrames_ReturnsZeros()
    {
        using var scope = NewDisposeScope();
        Tensor values = torch.tensor(new float[] { 5, 5, 5, 5 }, [2, 2, 1]);

        Tensor result = TemporalInterpolation.AlignCorners(values, Lengths(0, 2), Lengths(2, 2), 2);

        Assert.Equal([0f, 0, 5, 5], TensorAssert.Values(result));
    }

    [Fact]
    public void AlignCorners_MismatchedLengths_ThrowsNamingShapes()
    {
        using var scope = NewDisposeScope();
        Tensor values = torch.zeros(2, 3, 4);

        var error = Assert.Throws<ArgumentException>(() => TemporalInterpolation.AlignCorners(values, Lengths(3), Lengths(3, 3), 3));

        Assert.Contains("(1)", error.Message);
        Assert.Contains("(2, 3, 4)", error.Message);
    }

    [Fact]
    public void LengthsFromMask_LeftAlignedMask_CountsRealFrames()
    {
        using var scope = NewDisposeScope();
        Tensor mask = torch.tensor(new[] { true, true, false, true, true, true }, [2, 3]);

        Assert.Equal([2L, 3], TemporalInterpolation.LengthsFromMask(mask).data<long>().ToArray());
    }
}

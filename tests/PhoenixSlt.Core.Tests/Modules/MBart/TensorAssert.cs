using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Modules.MBart;

public static class TensorAssert
{
    /// Same shape and max |expected - actual| ≤ <paramref name="atol"/>; the message names the tensor and the diff.
    public static void Close(Tensor expected, Tensor actual, double atol, string name)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"{name}: shape [{string.Join(", ", actual.shape)}] differs from expected [{string.Join(", ", expected.shape)}]");
        double diff = MaxAbsDiff(expected, actual);
        Assert.True(diff <= atol, $"{name}: max |diff| = {diff:E3} exceeds {atol:E1}");
    }

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max().item<double>();
    }

    /// Same shape, dtype and values.
    public static void Equal(Tensor expected, Tensor actual, string name)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"{name}: shape [{string.Join(", ", actual.shape)}] differs from expected [{string.Join(", ", expected.shape)}]");
        Assert.Equal(expected.dtype, actual.dtype);
        using var scope = NewDisposeScope();
        Assert.True(expected.eq(actual).all().item<bool>(), $"{name}: values differ");
    }
}

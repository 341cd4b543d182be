using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Modules.Squeezeformer;

internal static class TensorAssert
{
    /// Asserts equal shapes and max |expected − actual| ≤ atol.
    public static void Close(Tensor expected, Tensor actual, double atol, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double maxDiff = MaxAbsDiff(expected, actual);
        Assert.True(maxDiff <= atol, $"{what}: max |diff| = {maxDiff:g4} exceeds {atol:g4}");
    }

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        if (a.numel() == 0)
            return 0;
        return (a.to_type(ScalarType.Float64) - b.to_type(ScalarType.Float64)).abs().max().item<double>();
    }

    public static float[] Values(Tensor t) => t.contiguous().to_type(ScalarType.Float32).data<float>().ToArray();
}

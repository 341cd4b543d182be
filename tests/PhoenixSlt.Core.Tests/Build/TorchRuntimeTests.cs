using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Build;

/// The build patches libLibTorchSharp.so where the system libstdc++ lacks GLIBCXX_3.4.32; these tests fail
/// with TorchSharp's "doesn't contain a reference to libtorch-cpu-linux-x64" if that fix is missing.
public class TorchRuntimeTests
{
    [Fact]
    public void Matmul_OnCpu_MatchesHandComputedProduct()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        using var b = tensor(new float[] { 5, 6, 7, 8 }, new long[] { 2, 2 });
        using var c = matmul(a, b);
        // [[1*5+2*7, 1*6+2*8], [3*5+4*7, 3*6+4*8]]
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }

    [Fact]
    public void LibTorchVersion_Is_2_10()
    {
        Assert.StartsWith("2.10", __version__.ToString());
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests;

public sealed class GradientClippingTests
{
    [Fact]
    public void ClipGlobalNorm_AboveTheMaximum_ScalesAllGradientsTogether()
    {
        using var a = nn.Parameter(zeros(1));
        using var b = nn.Parameter(zeros(1));
        a.grad = tensor(new[] { 3f });
        b.grad = tensor(new[] { 4f });

        using var norm = GradientClipping.ClipGlobalNorm([a, b], maxNorm: 1.0)!;

        // global norm sqrt(3² + 4²) = 5; coefficient 1 / (5 + 1e-6)
        Assert.Equal(5.0, norm.item<float>(), 5);
        Assert.Equal(0.6, a.grad!.item<float>(), 5);
        Assert.Equal(0.8, b.grad!.item<float>(), 5);
    }

    [Fact]
    public void ClipGlobalNorm_BelowTheMaximum_LeavesGradients()
    {
        using var a = nn.Parameter(zeros(2));
        a.grad = tensor(new[] { 0.3f, 0.4f });

        using var norm = GradientClipping.ClipGlobalNorm([a], maxNorm: 1.0)!;

        Assert.Equal(0.5, norm.item<float>(), 5);
        Assert.Equal([0.3f, 0.4f], a.grad!.data<float>().ToArray());
    }

    [Fact]
    public void ClipGlobalNorm_NoGradients_ReturnsNull()
    {
        using var a = nn.Parameter(zeros(2));

        Assert.Null(GradientClipping.ClipGlobalNorm([a], 1.0));
    }
}

using PhoenixSlt.Core.Modules.Squeezeformer;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Core.Tests.Modules.Squeezeformer;

public sealed class MaskedBatchNorm1dTests
{
    private const double Eps = 1e-5;
    private const double Momentum = 0.1;

    // One channel, two rows: row 0 = [1, 2, 3] all real; row 1 = [5, pad, pad] with padding 100.
    private static (Tensor X, Tensor Mask) Example()
        => (torch.tensor(new float[] { 1, 2, 3, 5, 100, 100 }, [2, 1, 3]),
            torch.tensor(new[] { true, true, true, true, false, false }, [2, 3]));

    [Fact]
    public void Forward_Training_NormalisesWithRealFrameStatistics()
    {
        using var scope = NewDisposeScope();
        using var norm = new MaskedBatchNorm1d(1, Eps, Momentum);
        norm.train();
        var (x, mask) = Example();

        Tensor y = norm.forward(x, mask);

        // real values 1, 2, 3, 5: mean 11/4 = 2.75; biased variance (1.75² + 0.75² + 0.25² + 2.25²)/4 = 8.75/4
        double mean = 2.75, variance = 8.75 / 4;
        float[] v = TensorAssert.Values(y);
        double[] real = [1, 2, 3, 5];
        int[] index = [0, 1, 2, 3];
        for (int i = 0; i < real.Length; i++)
            Assert.Equal((real[i] - mean) / Math.Sqrt(variance + Eps), v[index[i]], 5);
    }

    [Fact]
    public void Forward_Training_UpdatesRunningStatisticsFromRealFrames()
    {
        using var scope = NewDisposeScope();
        using var norm = new MaskedBatchNorm1d(1, Eps, Momentum);
        norm.train();
        var (x, mask) = Example();

        norm.forward(x, mask);

        // running_mean = 0.9·0 + 0.1·2.75; running_var = 0.9·1 + 0.1·(8.75/3) (unbiased over 4 real frames)
        Assert.Equal(0.275, norm.RunningMean.item<float>(), 6);
        Assert.Equal(0.9 + 0.1 * 8.75 / 3, norm.RunningVar.item<float>(), 6);
    }

    [Fact]
    public void Forward_Training_MatchesTorchBatchNormOnRealFramesOnly()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        Tensor real0 = torch.randn([3, 6], generator: generator);   // (C, T0)
        Tensor real1 = torch.randn([3, 4], generator: generator);   // (C, T1)
        Tensor x = torch.full([2, 3, 6], 1000f);
        using (torch.no_grad())
        {
            x[0].copy_(real0);
            x[1].narrow(1, 0, 4).copy_(real1);
        }
        Tensor mask = EncoderInputs.Mask([6, 4], 6);
        using var masked = new MaskedBatchNorm1d(3, Eps, Momentum);
        using var reference = nn.BatchNorm1d(3, Eps, Momentum);
        masked.train();
        reference.train();

        Tensor y = masked.forward(x, mask);
        Tensor expected = reference.forward(torch.cat([real0, real1], 1).unsqueeze(0)); // (1, C, T0 + T1)

        Tensor actual = torch.cat([y[0], y[1].narrow(1, 0, 4)], 1).unsqueeze(0);
        TensorAssert.Close(expected, actual, 1e-5, "normalised real frames");
        TensorAssert.Close(reference.running_mean!, masked.RunningMean, 1e-6, "running mean");
        TensorAssert.Close(reference.running_var!, masked.RunningVar, 1e-6, "running var");
    }

    [Fact]
    public void Forward_TrainingWithNaNPadding_RealFramesAndRunningStatisticsUnaffected()
    {
        using var scope = NewDisposeScope();
        using var clean = new MaskedBatchNorm1d(1, Eps, Momentum);
        using var poisoned = new MaskedBatchNorm1d(1, Eps, Momentum);
        clean.train();
        poisoned.train();
        var (x, mask) = Example();
        Tensor withNaN = x.masked_fill(mask.logical_not().unsqueeze(1), float.NaN);

        Tensor expected = clean.forward(x, mask);
        Tensor actual = poisoned.forward(withNaN, mask);

        TensorAssert.Close(expected[0], actual[0], 0, "row 0");
        TensorAssert.Close(expected[1].narrow(1, 0, 1), actual[1].narrow(1, 0, 1), 0, "row 1 real frame");
        Assert.Equal(clean.RunningVar.item<float>(), poisoned.RunningVar.item<float>());
    }

    [Fact]
    public void Forward_Eval_UsesRunningStatistics()
    {
        using var scope = NewDisposeScope();
        using var norm = new MaskedBatchNorm1d(1, Eps, Momentum);
        norm.train();
        var (x, mask) = Example();
        norm.forward(x, mask);
        norm.eval();

        Tensor y = norm.forward(torch.tensor(new float[] { 2 }, [1, 1, 1]), torch.tensor(new[] { true }, [1, 1]));

        double runningMean = 0.275, runningVar = 0.9 + 0.1 * 8.75 / 3;
        Assert.Equal((2 - runningMean) / Math.Sqrt(runningVar + Eps), y.item<float>(), 5);
        Assert.Equal(0.275, norm.RunningMean.item<float>(), 6); // eval does not update
    }

    [Fact]
    public void Forward_WrongMaskShape_ThrowsNamingBothShapes()
    {
        using var scope = NewDisposeScope();
        using var norm = new MaskedBatchNorm1d(1, Eps, Momentum);

        var error = Assert.Throws<ArgumentException>(() => norm.forward(torch.zeros(2, 1, 3), torch.ones(2, 4, dtype: ScalarType.Bool)));

        Assert.Contains("(2, 4)", error.Message);
        Assert.Contains("(2, 1, 3)", error.Message);
    }
}

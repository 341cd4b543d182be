using PhoenixSlt.Training.Tests.Distributed;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests.Launch;

[Collection(SerialTrainingCollection.Name)]
public sealed class DataParallelEquivalenceTests
{
    /// One process on batches of 4.
    private static readonly int[][] GlobalBatches = [[0, 1, 2, 3], [4, 5, 6, 7]];

    /// The same batches split between two ranks: each rank holds half of every global batch.
    private static readonly int[][][] RankBatches = [[[0, 1], [4, 5]], [[2, 3], [6, 7]]];

    /// Two ranks that each see half of every global batch must end where one process on the whole batches ends.
    /// Justification: the loss is a mean over samples of equal weight and the model has no batch-dependent layer,
    /// so ∇ mean₄ = ½ (∇ mean₂⁽⁰⁾ + ∇ mean₂⁽¹⁾) — the average the gradient all-reduce computes. Adam with eps = 1
    /// depends on the gradient's scale, so a sum instead of an average (or a missing all-reduce) would end
    /// elsewhere; with clipping, the clip must see the averaged gradient. K = 3 steps cross an epoch boundary.
    [Theory]
    [InlineData(null)]
    [InlineData(0.05)]
    public void Run_TwoRanksOnHalfBatches_EndWithTheParametersOfOneRankOnTheWholeBatches(double? maxGradNorm)
    {
        var options = new TrainerOptions { MaxSteps = 3, WarmupSteps = 0, DefaultLearningRate = 0.1, Epsilon = 1.0, WeightDecay = 0.01, MaxGradNorm = maxGradNorm };
        using var single = new RegressionTask(_ => GlobalBatches);
        float[] initial = Parameters(single);
        new Trainer(single, options).Run();
        float[] expected = Parameters(single);

        float[][] ranks = RingHarness.Run(2, group =>
        {
            using var task = new RegressionTask(_ => RankBatches[group.Rank]);
            new Trainer(task, options, group).Run();
            return Parameters(task);
        });

        Assert.True(MaxAbsDifference(initial, expected) > 1e-3, "training moved the parameters");
        foreach (float[] actual in ranks)
            Assert.True(MaxAbsDifference(expected, actual) <= 1e-5, $"expected [{string.Join(", ", expected)}] got [{string.Join(", ", actual)}]");
    }

    /// Without the gradient average the ranks would diverge from each other; with it, they must stay identical.
    [Fact]
    public void Run_TwoRanksOnDifferentData_EndWithIdenticalParameters()
    {
        var options = new TrainerOptions { MaxSteps = 2, WarmupSteps = 0, DefaultLearningRate = 0.1, MaxGradNorm = null };

        float[][] ranks = RingHarness.Run(2, group =>
        {
            using var task = new RegressionTask(_ => RankBatches[group.Rank]);
            new Trainer(task, options, group).Run();
            return Parameters(task);
        });

        Assert.Equal(ranks[0], ranks[1]);
    }

    private static float[] Parameters(RegressionTask task)
        => [.. task.Linear.weight!.data<float>().ToArray(), .. task.Linear.bias!.data<float>().ToArray()];

    private static double MaxAbsDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
}

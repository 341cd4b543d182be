using System.Runtime.InteropServices;
using PhoenixSlt.Training.Distributed;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests.Distributed;

[Collection("Distributed")]
public sealed class GradientBucketerTests
{
    private static float[] Floats(Tensor t)
    {
        using var host = t.detach().cpu().contiguous();
        return MemoryMarshal.Cast<byte, float>(host.bytes).ToArray();
    }

    /// Linear(4→5) → tanh → Linear(5→2) with weights from a fixed formula (no shared RNG between threads).
    private static Sequential Model()
    {
        var model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 2));
        using var noGrad = no_grad();
        int k = 0;
        foreach (var p in model.parameters())
        {
            using var values = arange(p.numel(), ScalarType.Float32).mul_(0.37).add_(++k).sin_().reshape(p.shape);
            p.copy_(values);
        }
        return model;
    }

    /// Rank r's batch: (3, 4) values depending on r, so the ranks' gradients differ.
    private static Tensor Batch(int rank) => arange(12, ScalarType.Float32).reshape(3, 4).mul_(0.1 * (rank + 1)).sub_(0.5);

    private static float[][] LocalGradients(Sequential model, int rank)
    {
        using var x = Batch(rank);
        using var y = model.forward(x);
        using var loss = y.pow(2).sum();
        loss.backward();
        return model.parameters().Select(p => Floats(p.grad!)).ToArray();
    }

    [Theory]
    [InlineData(2, GradientBucketer.DefaultBucketBytes)]
    [InlineData(2, 64)] // 16 floats per bucket: several buckets
    [InlineData(3, 64)]
    public void AllReduceGradients_RanksWithDifferentBatches_EveryRankHoldsTheMeanGradient(int world, long bucketBytes)
    {
        // the expectation, computed without any communication: each rank's gradient on its own batch, averaged
        var perRank = Enumerable.Range(0, world).Select(r =>
        {
            using var model = Model();
            return LocalGradients(model, r);
        }).ToArray();
        var expected = perRank[0].Select((_, p) => perRank[0][p].Select((_, i) => perRank.Sum(g => (double)g[p][i]) / world).ToArray()).ToArray();

        var results = RingHarness.Run(world, g =>
        {
            using var model = Model();
            LocalGradients(model, g.Rank);
            var bucketer = new GradientBucketer(g, model.parameters(), bucketBytes);
            bucketer.AllReduceGradients();
            return (Buckets: bucketer.BucketCount, Grads: model.parameters().Select(p => Floats(p.grad!)).ToArray());
        });

        Assert.All(results, r =>
        {
            Assert.True(bucketBytes < 100 ? r.Buckets > 1 : r.Buckets == 1, $"{r.Buckets} buckets");
            for (int p = 0; p < expected.Length; p++)
                for (int i = 0; i < expected[p].Length; i++)
                    Assert.Equal(expected[p][i], r.Grads[p][i], 1e-6);
        });
        Assert.Equal(results[0].Grads.SelectMany(g => g), results[^1].Grads.SelectMany(g => g)); // identical on all ranks
    }

    [Fact]
    public void AllReduceGradients_ParameterUsedOnOneRankOnly_GetsHalfItsGradientEverywhere()
    {
        static (Linear Used, Linear Sometimes, Linear Never) Layers()
        {
            var layers = (nn.Linear(2, 1), nn.Linear(2, 1), nn.Linear(2, 1));
            using var noGrad = no_grad();
            foreach (var p in layers.Item1.parameters().Concat(layers.Item2.parameters()).Concat(layers.Item3.parameters()))
                p.fill_(0.5);
            return layers;
        }

        var results = RingHarness.Run(2, g =>
        {
            var (used, sometimes, never) = Layers();
            using var x = tensor(new[] { 1f, 2f });
            using var a = used.forward(x).sum();
            using var loss = g.Rank == 0 ? a + sometimes.forward(x).sum() : a.alias();
            loss.backward();
            new GradientBucketer(g, used.parameters().Concat(sometimes.parameters()).Concat(never.parameters())).AllReduceGradients();
            var result = (Sometimes: Floats(sometimes.weight!.grad!), Never: never.weight!.grad is null, Used: Floats(used.weight!.grad!));
            used.Dispose();
            sometimes.Dispose();
            never.Dispose();
            return result;
        });

        Assert.All(results, r =>
        {
            Assert.Equal([0.5f, 1f], r.Sometimes); // d(w·x)/dw = x on rank 0, nothing on rank 1: mean x / 2
            Assert.True(r.Never);                   // no rank used it: still no gradient
            Assert.Equal([1f, 2f], r.Used);         // both ranks: x
        });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void BroadcastParameters_RanksStartDifferent_EveryRankTakesTheRootsParametersAndBuffers(int root)
    {
        var results = RingHarness.Run(3, g =>
        {
            using var model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2));
            using (no_grad())
            {
                foreach (var p in model.parameters())
                    p.fill_(g.Rank + 1);
                foreach (var b in model.buffers())
                    b.fill_(10 * (g.Rank + 1));
            }
            GradientBucketer.BroadcastParameters(g, model, root);
            return (Params: model.parameters().SelectMany(p => Floats(p)).ToArray(),
                Buffers: model.named_buffers().Select(b => (b.name, b.buffer.to(ScalarType.Float64).cpu().data<double>().ToArray())).ToArray(),
                RequiresGrad: model.parameters().All(p => p.requires_grad));
        });

        Assert.All(results, r =>
        {
            Assert.All(r.Params, v => Assert.Equal(root + 1f, v));
            Assert.All(r.Buffers, b => Assert.All(b.Item2, v => Assert.Equal(10.0 * (root + 1), v))); // running mean/var and the int64 step counter
            Assert.Contains(r.Buffers, b => b.name.EndsWith("num_batches_tracked", StringComparison.Ordinal));
            Assert.True(r.RequiresGrad);
        });
    }

    [Fact]
    public void BroadcastParameters_DifferentArchitectures_FailsOnEveryRankNamingTheDifference()
    {
        var outcomes = RingHarness.RunEach(2, g =>
        {
            using var model = nn.Sequential(nn.Linear(3, g.Rank == 0 ? 2 : 4));
            GradientBucketer.BroadcastParameters(g, model);
            return 0;
        });

        Assert.All(outcomes, o =>
        {
            var error = Assert.IsType<DistributedException>(o.Error);
            Assert.Contains("rank 1's model differs from rank 0's", error.Message);
            Assert.Contains("0.weight Float32 [2, 3]", error.Message);
            Assert.Contains("0.weight Float32 [4, 3]", error.Message);
        });
    }

    [Fact]
    public void AllReduceGradients_SingleProcess_LeavesGradientsUntouched()
    {
        using var model = Model();
        var before = LocalGradients(model, 0);

        new GradientBucketer(new SingleProcessGroup(), model.parameters()).AllReduceGradients();

        Assert.Equal(before.SelectMany(g => g), model.parameters().SelectMany(p => Floats(p.grad!)));
    }
}

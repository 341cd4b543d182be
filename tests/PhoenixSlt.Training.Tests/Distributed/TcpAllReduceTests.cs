using System.Runtime.InteropServices;
using PhoenixSlt.Training.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests.Distributed;

[Collection("Distributed")]
public sealed class TcpAllReduceTests
{
    private static float[] Floats(Tensor t)
    {
        using var host = t.detach().cpu().contiguous();
        return MemoryMarshal.Cast<byte, float>(host.bytes).ToArray();
    }

    /// Element i of rank r is 100·r + i: small integers, so float32 sums are exact.
    private static Tensor RankPattern(int rank, int count) =>
        arange(count, ScalarType.Float32).add_(100 * rank);

    [Theory]
    [InlineData(2, 7)]
    [InlineData(3, 7)]
    [InlineData(4, 7)]
    [InlineData(4, 2)] // fewer elements than ranks: some chunks are empty
    [InlineData(3, 1)]
    public void AllReduce_Sum_EveryRankHoldsTheSumOverRanks(int world, int count)
    {
        var results = RingHarness.Run(world, g =>
        {
            using var t = RankPattern(g.Rank, count);
            g.AllReduce(t, ReduceOp.Sum);
            return Floats(t);
        });

        // Σ_r (100·r + i) = 100·W(W−1)/2 + W·i
        float[] expected = Enumerable.Range(0, count).Select(i => 100f * world * (world - 1) / 2 + world * i).ToArray();
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void AllReduce_Avg_EveryRankHoldsTheMean(int world)
    {
        var results = RingHarness.Run(world, g =>
        {
            using var t = RankPattern(g.Rank, 9);
            g.AllReduce(t, ReduceOp.Avg);
            return Floats(t);
        });

        // mean_r (100·r + i) = 100·(W−1)/2 + i, exact in float32 for these W
        float[] expected = Enumerable.Range(0, 9).Select(i => 100f * (world - 1) / 2 + i).ToArray();
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void AllReduce_Max_EveryRankHoldsTheLargestValue(int world)
    {
        const int count = 11;
        var results = RingHarness.Run(world, g =>
        {
            // element i is large only on rank i mod W
            float[] values = Enumerable.Range(0, count).Select(i => i % world == g.Rank ? 1000f + i : -i - 1000f * g.Rank).ToArray();
            using var t = tensor(values);
            g.AllReduce(t, ReduceOp.Max);
            return Floats(t);
        });

        float[] expected = Enumerable.Range(0, count).Select(i => 1000f + i).ToArray();
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void AllReduce_MillionRandomFloats_BitIdenticalOnEveryRankAndCloseToTheExactSum(int world)
    {
        const int count = 1_000_003;
        float[] Values(int rank)
        {
            var random = new Random(1234 + rank);
            return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        }

        var results = RingHarness.Run(world, g =>
        {
            using var t = tensor(Values(g.Rank));
            g.AllReduce(t, ReduceOp.Sum);
            return Floats(t);
        });

        for (int r = 1; r < world; r++)
            Assert.True(MemoryMarshal.AsBytes(results[0].AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(results[r].AsSpan())), $"rank {r} differs from rank 0");
        double[] exact = new double[count];
        for (int r = 0; r < world; r++)
        {
            float[] v = Values(r);
            for (int i = 0; i < count; i++)
                exact[i] += v[i];
        }
        // W − 1 float32 additions of values in [−1, 1]: error below W · 2^−24 · W
        double bound = world * world * Math.Pow(2, -24);
        for (int i = 0; i < count; i += 997)
            Assert.InRange(results[0][i] - exact[i], -bound, bound);
    }

    [Fact]
    public void AllReduce_EmptyTensor_CompletesAndKeepsTheShape()
    {
        var shapes = RingHarness.Run(3, g =>
        {
            using var t = zeros(0, 5);
            g.AllReduce(t, ReduceOp.Sum);
            g.AllReduce(t, ReduceOp.Avg);
            return t.shape;
        });

        Assert.All(shapes, s => Assert.Equal([0L, 5], s));
    }

    [Fact]
    public void AllReduce_NonContiguousView_UpdatesTheUnderlyingTensor()
    {
        var results = RingHarness.Run(2, g =>
        {
            using var matrix = full(3, 4, g.Rank + 1f);                  // rank 0: ones, rank 1: twos
            using var column = matrix.narrow(1, 1, 2).t();              // a (2, 3) strided view
            g.AllReduce(column, ReduceOp.Sum);
            return Floats(matrix);
        });

        // columns 1 and 2 become 1 + 2 = 3; columns 0 and 3 keep the rank's own value
        Assert.Equal([1f, 3, 3, 1, 1, 3, 3, 1, 1, 3, 3, 1], results[0]);
        Assert.Equal([2f, 3, 3, 2, 2, 3, 3, 2, 2, 3, 3, 2], results[1]);
    }

    [Fact]
    public void AllReduce_ContiguousRowOfAMatrix_UpdatesOnlyThatRow()
    {
        var results = RingHarness.Run(2, g =>
        {
            using var matrix = full(3, 4, g.Rank + 1f);
            using var row = matrix[1];                                   // contiguous, but starts 4 elements in
            g.AllReduce(row, ReduceOp.Sum);
            using var tail = matrix.narrow(0, 2, 1).reshape(-1);        // and a view through narrow + reshape
            g.Broadcast(tail, root: 1);
            return Floats(matrix);
        });

        Assert.Equal([1f, 1, 1, 1, 3, 3, 3, 3, 2, 2, 2, 2], results[0]);
        Assert.Equal([2f, 2, 2, 2, 3, 3, 3, 3, 2, 2, 2, 2], results[1]);
    }

    [Fact]
    public void AllReduce_OtherElementTypes_ReduceInTheirOwnType()
    {
        var results = RingHarness.Run(3, g =>
        {
            using var int64 = tensor(new long[] { long.MaxValue / 4, g.Rank, -1 });
            using var float64 = tensor(new double[] { 0.1 * (g.Rank + 1), 1e300 });
            using var bfloat16 = full(4, g.Rank + 1, ScalarType.BFloat16);
            g.AllReduce(int64, ReduceOp.Sum);
            g.AllReduce(float64, ReduceOp.Max);
            g.AllReduce(bfloat16, ReduceOp.Sum);
            using var b = bfloat16.to(ScalarType.Float32);
            return (int64.data<long>().ToArray(), float64.data<double>().ToArray(), Floats(b), bfloat16.dtype);
        });

        Assert.All(results, r =>
        {
            Assert.Equal([3 * (long.MaxValue / 4), 0 + 1 + 2, -3], r.Item1); // no float rounding of large integers
            Assert.Equal([0.1 * 3, 1e300], r.Item2);
            Assert.Equal([6f, 6, 6, 6], r.Item3);
            Assert.Equal(ScalarType.BFloat16, r.Item4);
        });
    }

    [Fact]
    public void AllReduce_AvgOfIntegers_IsRejectedBeforeCommunicating()
    {
        var results = RingHarness.Run(2, g =>
        {
            using var ints = tensor(new[] { 1, 2 });
            var error = Assert.Throws<ArgumentException>(() => g.AllReduce(ints, ReduceOp.Avg));
            using var t = ones(2);
            g.AllReduce(t); // the group is still in step
            return (error.Message, Floats(t));
        });

        Assert.All(results, r =>
        {
            Assert.Contains("floating-point", r.Message);
            Assert.Equal([2f, 2], r.Item2);
        });
    }

    [Fact]
    public void AllReduceScalar_Sum_AddsTheRanksNumbers()
    {
        var sums = RingHarness.Run(4, g => g.AllReduceScalar(g.Rank + 0.5));

        Assert.All(sums, s => Assert.Equal(0.5 + 1.5 + 2.5 + 3.5, s));
    }

    [Fact]
    public void SingleProcessGroup_Collectives_AreIdentities()
    {
        using var group = new SingleProcessGroup();
        using var t = tensor(new[] { 1f, 2f });

        group.AllReduce(t, ReduceOp.Avg);
        group.Broadcast(t);
        group.Barrier();
        var gathered = group.AllGather(t);
        string[] objects = group.AllGatherObject("only");

        Assert.Equal([1f, 2f], Floats(t));
        Assert.Single(gathered);
        Assert.Equal([1f, 2f], Floats(gathered[0]));
        Assert.False(ReferenceEquals(gathered[0], t));
        Assert.Equal(["only"], objects);
        Assert.Throws<ArgumentOutOfRangeException>(() => group.Broadcast(t, root: 1));
        gathered[0].Dispose();
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using PhoenixSlt.Training.Distributed;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests.Distributed;

[Collection("Distributed")]
public sealed class TcpCollectiveTests
{
    private static float[] Floats(Tensor t)
    {
        using var host = t.detach().cpu().contiguous();
        return MemoryMarshal.Cast<byte, float>(host.bytes).ToArray();
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(3, 2)]
    [InlineData(4, 1)]
    public void Broadcast_FromRoot_EveryRankHoldsTheRootsTensor(int world, int root)
    {
        var results = RingHarness.Run(world, g =>
        {
            using var t = g.Rank == root ? arange(10, ScalarType.Float32).mul_(3) : full(10, -1f);
            g.Broadcast(t, root);
            return Floats(t);
        });

        float[] expected = Enumerable.Range(0, 10).Select(i => 3f * i).ToArray();
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void Broadcast_SeveralSegments_ArrivesIntactOnEveryRank()
    {
        const int count = 700_001; // 2.8 MB: three pipelined 1 MB segments
        var results = RingHarness.Run(3, g =>
        {
            using var t = g.Rank == 1 ? arange(count, ScalarType.Int32) : zeros(count, ScalarType.Int32);
            g.Broadcast(t, root: 1);
            return t.data<int>().ToArray();
        });

        Assert.All(results, r => Assert.True(r.SequenceEqual(Enumerable.Range(0, count))));
    }

    [Fact]
    public void BroadcastObject_FromRankOne_EveryRankGetsItsValue()
    {
        var results = RingHarness.Run(3, g => g.BroadcastObject(g.Rank == 1 ? new[] { "seed", "42" } : null, root: 1));

        Assert.All(results, r => Assert.Equal(["seed", "42"], r!));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void AllGather_DifferentFirstDimensions_ReturnsEveryRanksTensorInRankOrder(int world)
    {
        var results = RingHarness.Run(world, g =>
        {
            using var t = full(g.Rank + 1, 3, (float)g.Rank); // rank r: (r + 1) rows of r
            var gathered = g.AllGather(t);
            var summary = gathered.Select(x => (x.shape, Floats(x))).ToArray();
            foreach (var x in gathered)
                x.Dispose();
            return summary;
        });

        Assert.All(results, gathered =>
        {
            Assert.Equal(world, gathered.Length);
            for (int r = 0; r < world; r++)
            {
                Assert.Equal([r + 1L, 3], gathered[r].shape);
                Assert.All(gathered[r].Item2, v => Assert.Equal(r, v));
            }
        });
    }

    [Fact]
    public void AllGather_DifferentTrailingDimensions_FailsOnEveryRankNamingTheShapes()
    {
        var outcomes = RingHarness.RunEach(2, g =>
        {
            using var t = zeros(2, g.Rank == 0 ? 3 : 4);
            return g.AllGather(t);
        });

        Assert.All(outcomes, o =>
        {
            var error = Assert.IsType<DistributedException>(o.Error);
            Assert.Contains("rank 0: Float32 [2, 3]", error.Message);
            Assert.Contains("rank 1: Float32 [2, 4]", error.Message);
        });
    }

    [Fact]
    public void AllGatherObject_VariableLengthHypotheses_EveryRankGetsAllOfThem()
    {
        var results = RingHarness.Run(3, g =>
            g.AllGatherObject(Enumerable.Range(0, g.Rank * 2).Select(i => $"regen über süddeutschland {g.Rank}.{i}").ToArray()));

        Assert.All(results, gathered =>
        {
            Assert.Empty(gathered[0]);
            Assert.Equal(["regen über süddeutschland 1.0", "regen über süddeutschland 1.1"], gathered[1]);
            Assert.Equal(4, gathered[2].Length);
            Assert.Equal("regen über süddeutschland 2.3", gathered[2][3]);
        });
    }

    [Fact]
    public void Barrier_RanksArriveAtDifferentTimes_NobodyLeavesBeforeTheLastArrives()
    {
        var clock = Stopwatch.StartNew();
        var times = RingHarness.Run(4, g =>
        {
            Thread.Sleep(150 * g.Rank);
            var entered = clock.Elapsed;
            g.Barrier();
            return (Entered: entered, Left: clock.Elapsed);
        });

        var lastArrival = times.Max(t => t.Entered);
        Assert.All(times, t => Assert.True(t.Left >= lastArrival, $"left at {t.Left} before the last arrival at {lastArrival}"));
    }

    [Fact]
    public void AllReduce_DifferentElementCounts_FailsOnEveryRankWithTheCounts()
    {
        var outcomes = RingHarness.RunEach(3, g =>
        {
            using var t = ones(g.Rank == 2 ? 5 : 4);
            g.AllReduce(t);
            return 0;
        }, TimeSpan.FromSeconds(5));

        Assert.All(outcomes, o => Assert.IsType<DistributedException>(o.Error, exactMatch: false));
        Assert.Contains(outcomes, o => o.Error!.Message.Contains("passed 5 elements to all_reduce", StringComparison.Ordinal));
        Assert.All(outcomes, o => Assert.True(o.Elapsed < TimeSpan.FromSeconds(4), $"rank {o.Rank} took {o.Elapsed}"));
    }

    [Fact]
    public void Collectives_CalledInDifferentOrder_FailWithOutOfStepMessage()
    {
        var outcomes = RingHarness.RunEach(2, g =>
        {
            using var t = ones(3);
            if (g.Rank == 0)
                g.Barrier();
            else
                g.AllReduce(t);
            return 0;
        }, TimeSpan.FromSeconds(5));

        Assert.All(outcomes, o => Assert.IsType<DistributedException>(o.Error, exactMatch: false));
        Assert.Contains(outcomes, o => o.Error!.Message.Contains("every rank must call the same collectives in the same order", StringComparison.Ordinal));
    }
}

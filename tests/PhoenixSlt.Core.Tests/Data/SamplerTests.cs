using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Core.Tests.Data;

public sealed class SamplerTests
{
    private static int[][] Shards(int n, int world, int epoch, bool shuffle = true, bool dropLast = false, int seed = 7)
        => Enumerable.Range(0, world).Select(r => new DistributedSampler(n, world, r, shuffle, seed, dropLast).Indices(epoch)).ToArray();

    [Fact]
    public void DistributedSampler_NoShuffle_MatchesPyTorchLayout()
    {
        // PyTorch: indices [0..9] padded with indices[:2] -> [0..9, 0, 1]; rank r takes [r::3]
        int[][] shards = Shards(10, 3, epoch: 0, shuffle: false);

        Assert.Equal([0, 3, 6, 9], shards[0]);
        Assert.Equal([1, 4, 7, 0], shards[1]);
        Assert.Equal([2, 5, 8, 1], shards[2]);
    }

    [Theory]
    [InlineData(10, 3)]
    [InlineData(7, 4)]
    [InlineData(2, 5)]
    [InlineData(12, 4)]
    public void DistributedSampler_WithoutDropLast_EqualShardsCoveringEveryIndex(int n, int world)
    {
        int[][] shards = Shards(n, world, epoch: 3);

        int expected = (n + world - 1) / world;
        Assert.All(shards, s => Assert.Equal(expected, s.Length));
        int[] all = shards.SelectMany(s => s).ToArray();
        Assert.Equal(Enumerable.Range(0, n), all.Distinct().Order());
        Assert.Equal(expected * world - n, all.Length - all.Distinct().Count()); // only the padding repeats
    }

    [Fact]
    public void DistributedSampler_DropLast_DisjointEqualShards()
    {
        int[][] shards = Shards(10, 3, epoch: 1, dropLast: true);

        Assert.All(shards, s => Assert.Equal(3, s.Length));
        int[] all = shards.SelectMany(s => s).ToArray();
        Assert.Equal(9, all.Distinct().Count());
    }

    [Fact]
    public void DistributedSampler_SameEpoch_Deterministic_OtherEpoch_Different()
    {
        var sampler = new DistributedSampler(50, 2, 1, seed: 11);

        Assert.Equal(sampler.Indices(4), new DistributedSampler(50, 2, 1, seed: 11).Indices(4));
        Assert.NotEqual(sampler.Indices(4), sampler.Indices(5));
    }

    [Fact]
    public void DistributedSampler_Shuffle_IsAPermutationNotIdentity()
    {
        int[] order = DistributedSampler.Permutation(20, 3);

        Assert.Equal(Enumerable.Range(0, 20), order.Order());
        Assert.NotEqual(Enumerable.Range(0, 20), order);
    }

    [Fact]
    public void DistributedSampler_RankOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(10, 2, 2));
    }

    private static int[] Lengths(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => random.Next(1, 500)).ToArray();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LengthBucket_WithoutDropLast_EveryIndexOnceAndOneShortBatchAtMost(bool shuffle)
    {
        var sampler = new LengthBucketBatchSampler(Lengths(103, 1), batchSize: 8, shuffle, seed: 5, poolBatches: 4);

        IReadOnlyList<int[]> batches = sampler.Batches(epoch: 2);

        Assert.Equal(Enumerable.Range(0, 103), batches.SelectMany(b => b).Order());
        Assert.Equal(sampler.BatchCount(103), batches.Count);
        Assert.Single(batches, b => b.Length < 8);
        Assert.All(batches, b => Assert.InRange(b.Length, 1, 8));
    }

    [Fact]
    public void LengthBucket_DropLast_OnlyFullBatches()
    {
        var sampler = new LengthBucketBatchSampler(Lengths(103, 1), batchSize: 8, dropLast: true, poolBatches: 4);

        IReadOnlyList<int[]> batches = sampler.Batches(0);

        Assert.Equal(12, batches.Count);
        Assert.All(batches, b => Assert.Equal(8, b.Length));
        Assert.Equal(96, batches.SelectMany(b => b).Distinct().Count());
    }

    [Fact]
    public void LengthBucket_PoolCoversDataset_BatchLengthRangesDoNotOverlap()
    {
        int[] lengths = Lengths(64, 2);
        var sampler = new LengthBucketBatchSampler(lengths, batchSize: 8, poolBatches: 8);

        IReadOnlyList<int[]> batches = sampler.Batches(1);

        // one pool sorted by length: the batches are consecutive slices, so their [min, max] ranges are disjoint
        // and the summed spreads cannot exceed the overall spread
        int spread = batches.Sum(b => b.Max(i => lengths[i]) - b.Min(i => lengths[i]));
        Assert.True(spread <= lengths.Max() - lengths.Min(), $"summed spread {spread}");
    }

    [Fact]
    public void LengthBucket_NoShuffle_BatchesInLengthOrder()
    {
        int[] lengths = [5, 1, 4, 2, 3];
        var sampler = new LengthBucketBatchSampler(lengths, batchSize: 2, shuffle: false);

        IReadOnlyList<int[]> batches = sampler.Batches(0);

        Assert.Equal([[1, 3], [4, 2], [0]], batches);
    }

    [Fact]
    public void LengthBucket_SameEpoch_Deterministic_OtherEpoch_Different()
    {
        var sampler = new LengthBucketBatchSampler(Lengths(80, 3), batchSize: 4, seed: 9, poolBatches: 5);

        Assert.Equal(sampler.Batches(3), sampler.Batches(3));
        Assert.NotEqual(sampler.Batches(3), sampler.Batches(4));
    }

    [Fact]
    public void LengthBucket_OnDistributedShard_CoversExactlyTheShard()
    {
        int[] lengths = Lengths(30, 4);
        int[] shard = new DistributedSampler(30, 4, 2, seed: 1).Indices(0);
        var sampler = new LengthBucketBatchSampler(lengths, batchSize: 3, poolBatches: 2);

        IReadOnlyList<int[]> batches = sampler.Batches(0, shard);

        Assert.Equal(shard.Order(), batches.SelectMany(b => b).Order());
    }
}

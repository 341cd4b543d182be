using PhoenixSlt.Core.Data;

namespace PhoenixSlt.Training.Phases;

/// Training batches of an epoch for one rank: the rank's shard of a <see cref="DistributedSampler"/> (shuffled with
/// seed + epoch, padded to equal shard sizes as PyTorch does), cut into length-bucketed batches
/// (<see cref="LengthBucketBatchSampler"/>) so that little of each batch is padding. Every rank gets the same
/// number of batches.
public sealed class BatchPlan
{
    public BatchPlan(IReadOnlyList<int> lengths, int batchSize, int seed, bool shuffle = true)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        if (batchSize < 1)
            throw new TrainingConfigurationException($"--batch-size {batchSize} must be at least 1");
        Lengths = lengths;
        BatchSize = batchSize;
        Seed = seed;
        Shuffle = shuffle;
    }

    /// Length of each sample (frames or tokens).
    public IReadOnlyList<int> Lengths { get; }
    public int BatchSize { get; }
    public int Seed { get; }
    public bool Shuffle { get; }

    public IReadOnlyList<int[]> Batches(int epoch, int rank, int worldSize)
    {
        var shard = new DistributedSampler(Lengths.Count, worldSize, rank, Shuffle, Seed).Indices(epoch);
        return new LengthBucketBatchSampler(Lengths, BatchSize, Shuffle, Seed).Batches(epoch, shard);
    }
}

namespace PhoenixSlt.Core.Data;

/// Groups samples of similar length into batches so little of each batch is padding.
/// With shuffling (per epoch, System.Random(seed + epoch)): the indices are shuffled, cut into pools of
/// <c>batchSize × poolBatches</c>, each pool is sorted by length and cut into batches, and the batch order is
/// shuffled. Without shuffling: all indices sorted by length (ties by index) and cut in order.
/// Only the final batch can be smaller than <c>batchSize</c>; <c>dropLast</c> leaves it out.
public sealed class LengthBucketBatchSampler
{
    public LengthBucketBatchSampler(IReadOnlyList<int> lengths, int batchSize, bool shuffle = true, int seed = 0, bool dropLast = false, int poolBatches = 50)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(poolBatches);
        Lengths = lengths;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        PoolBatches = poolBatches;
    }

    /// Length (frames) of each dataset index.
    public IReadOnlyList<int> Lengths { get; }
    public int BatchSize { get; }
    public bool Shuffle { get; }
    public int Seed { get; }
    public bool DropLast { get; }
    public int PoolBatches { get; }

    /// Batches over the whole dataset for an epoch.
    public IReadOnlyList<int[]> Batches(int epoch) => Batches(epoch, Enumerable.Range(0, Lengths.Count).ToArray());

    /// Batches over a subset of dataset indices (e.g. one rank's <see cref="DistributedSampler"/> shard).
    public IReadOnlyList<int[]> Batches(int epoch, IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        foreach (int i in indices)
            if ((uint)i >= (uint)Lengths.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"index outside the {Lengths.Count} known lengths");

        var random = new Random(unchecked(Seed + epoch));
        int[] order = indices.ToArray();
        if (Shuffle)
            random.Shuffle(order);
        int pool = Shuffle ? BatchSize * PoolBatches : Math.Max(order.Length, 1);

        var batches = new List<int[]>();
        for (int start = 0; start < order.Length; start += pool)
        {
            int[] sorted = order[start..Math.Min(order.Length, start + pool)];
            // stable sort by length keeps the shuffled (or index) order among equal lengths
            sorted = [.. sorted.Select((index, position) => (index, position)).OrderBy(p => Lengths[p.index]).ThenBy(p => p.position).Select(p => p.index)];
            for (int b = 0; b < sorted.Length; b += BatchSize)
                batches.Add(sorted[b..Math.Min(sorted.Length, b + BatchSize)]);
        }
        if (DropLast && batches.Count > 0 && batches[^1].Length < BatchSize)
            batches.RemoveAt(batches.Count - 1);
        if (Shuffle)
        {
            int[][] shuffled = [.. batches];
            random.Shuffle(shuffled);
            return shuffled;
        }
        return batches;
    }

    /// Number of batches per epoch over <paramref name="count"/> indices.
    public int BatchCount(int count) => DropLast ? count / BatchSize : (count + BatchSize - 1) / BatchSize;
}

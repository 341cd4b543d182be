namespace PhoenixSlt.Core.Data;

/// Shards dataset indices across ranks the way torch.utils.data.DistributedSampler does:
/// <list type="number">
/// <item>indices 0..N−1, shuffled with seed + epoch when <c>shuffle</c> is on;</item>
/// <item>without drop_last, padded by repeating the start of that order until the total is W·ceil(N/W);
/// with drop_last, cut to W·floor(N/W);</item>
/// <item>rank r takes positions r, r + W, r + 2W, … (indices[r::W]).</item>
/// </list>
/// Every rank gets the same number of samples, so collective operations stay in step. The permutation comes from
/// a Fisher–Yates shuffle driven by System.Random(seed + epoch), not torch.randperm: same properties (uniform,
/// deterministic per epoch, shared by all ranks), different order than PyTorch for the same seed.
public sealed class DistributedSampler
{
    public DistributedSampler(int datasetSize, int worldSize = 1, int rank = 0, bool shuffle = true, int seed = 0, bool dropLast = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(datasetSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(worldSize);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, worldSize);
        DatasetSize = datasetSize;
        WorldSize = worldSize;
        Rank = rank;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        // PyTorch: ceil((N - W) / W) when dropping an uneven tail, else ceil(N / W)
        NumSamples = dropLast && datasetSize % worldSize != 0 ? datasetSize / worldSize : (datasetSize + worldSize - 1) / worldSize;
    }

    public int DatasetSize { get; }
    public int WorldSize { get; }
    public int Rank { get; }
    public bool Shuffle { get; }
    public int Seed { get; }
    public bool DropLast { get; }

    /// Samples each rank gets per epoch.
    public int NumSamples { get; }

    public int TotalSize => NumSamples * WorldSize;

    /// This rank's dataset indices for an epoch.
    public int[] Indices(int epoch)
    {
        int[] order = Shuffle ? Permutation(DatasetSize, unchecked(Seed + epoch)) : Enumerable.Range(0, DatasetSize).ToArray();
        int[] shard = new int[NumSamples];
        if (DatasetSize == 0)
            return shard;
        for (int i = 0; i < NumSamples; i++)
            shard[i] = order[(Rank + i * WorldSize) % DatasetSize]; // positions past N wrap to the start (padding)
        return shard;
    }

    /// A uniform permutation of 0..n−1 (Fisher–Yates with System.Random(seed)).
    public static int[] Permutation(int n, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        int[] order = Enumerable.Range(0, n).ToArray();
        var random = new Random(seed);
        for (int i = n - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}

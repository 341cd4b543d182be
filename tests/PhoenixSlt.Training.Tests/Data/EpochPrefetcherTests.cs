using PhoenixSlt.Training.Data;

namespace PhoenixSlt.Training.Tests.Data;

public sealed class EpochPrefetcherTests
{
    private static readonly int[][] Plan = [[4, 1], [0, 5], [2, 3], [7, 6], [9, 8]];

    [Fact]
    public void Take_FollowingThePlan_OneLoaderServesTheEpochInOrder()
    {
        using var prefetcher = new EpochPrefetcher<FakeBatch>(i => new FakeBatch(i), workers: 2);
        prefetcher.Plan(0, Plan);
        foreach (int[] batch in Plan)
        {
            using var loaded = prefetcher.Take(batch, epoch: 0);
            Assert.Equal(batch, loaded.Indices);
        }
        Assert.Equal(1, prefetcher.LoadersStarted);
    }

    [Fact]
    public void Take_SkipsAheadAsOnResume_RestartsAtThatBatch()
    {
        var loadedIndices = new System.Collections.Concurrent.ConcurrentQueue<int[]>();
        using var prefetcher = new EpochPrefetcher<FakeBatch>(i =>
        {
            loadedIndices.Enqueue(i);
            return new FakeBatch(i);
        }, workers: 1, depth: 1);
        prefetcher.Plan(0, Plan);

        using (var third = prefetcher.Take(Plan[2], epoch: 0))
            Assert.Equal(Plan[2], third.Indices);
        using (var fourth = prefetcher.Take(Plan[3], epoch: 0))
            Assert.Equal(Plan[3], fourth.Indices);

        Assert.Equal(1, prefetcher.LoadersStarted);
        Assert.DoesNotContain(loadedIndices, i => i.SequenceEqual(Plan[0]) || i.SequenceEqual(Plan[1]));
    }

    [Fact]
    public void Take_BatchOutsideThePlan_LoadsItSynchronously()
    {
        using var prefetcher = new EpochPrefetcher<FakeBatch>(i => new FakeBatch(i), workers: 2);
        prefetcher.Plan(0, Plan);
        using var loaded = prefetcher.Take([42], epoch: 0);
        Assert.Equal([42], loaded.Indices);
        Assert.Equal(0, prefetcher.LoadersStarted);
    }

    [Fact]
    public void Take_ZeroWorkers_LoadsOnTheCallingThread()
    {
        int? loaderThread = null;
        using var prefetcher = new EpochPrefetcher<FakeBatch>(i =>
        {
            loaderThread = Environment.CurrentManagedThreadId;
            return new FakeBatch(i);
        }, workers: 0);
        prefetcher.Plan(0, Plan);
        using var loaded = prefetcher.Take(Plan[0], epoch: 0);
        Assert.Equal(Environment.CurrentManagedThreadId, loaderThread);
        Assert.Equal(0, prefetcher.LoadersStarted);
    }
}

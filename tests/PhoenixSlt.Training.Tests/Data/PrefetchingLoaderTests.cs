using System.Collections.Concurrent;
using PhoenixSlt.Core.Data;
using PhoenixSlt.Training.Data;
using PhoenixSlt.Training.Phases;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests.Data;

/// A batch that records whether it was disposed.
internal sealed class FakeBatch(int[] indices) : IDisposable
{
    public int[] Indices { get; } = indices;
    public bool Disposed { get; private set; }
    public void Dispose() => Disposed = true;
}

public sealed class PrefetchingLoaderTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static int[][] Sequential(int batches, int size = 2)
        => Enumerable.Range(0, batches).Select(b => Enumerable.Range(b * size, size).ToArray()).ToArray();

    private static bool Same(Tensor a, Tensor b)
        => a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();

    private static bool WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                return false;
            Thread.Sleep(5);
        }
        return true;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Next_SyntheticDataset_SameBatchesInSameOrderAsSynchronousLoading(int workers)
    {
        using var folder = new TempFolder("phoenix-loader");
        string root = TrainingTestData.Synthetic(folder.Combine("data"), train: 10, dev: 0);
        var dataset = PhoenixFeatureDataset.Open(root, "train");
        var collator = new Collator(new CollatorOptions(MaxFrames: 40));
        var batches = new BatchPlan(dataset.FrameCounts(), batchSize: 3, seed: 5).Batches(epoch: 1, rank: 0, worldSize: 1);

        using var loader = new PrefetchingLoader<PhoenixBatch>(batches, PhoenixBatchLoading.For(dataset, collator), workers);
        foreach (int[] indices in batches)
        {
            using var expected = collator.Collate(dataset.Get(indices));
            using var actual = loader.Next();
            Assert.Equal(indices.Select(i => dataset.Samples[i].Name), actual.Names);
            Assert.Equal(expected.Names, actual.Names);
            Assert.Equal(expected.Translations, actual.Translations);
            Assert.Equal(expected.KeypointLengths, actual.KeypointLengths);
            Assert.Equal(expected.SiglipLengths, actual.SiglipLengths);
            Assert.True(Same(expected.Keypoints, actual.Keypoints), "keypoints differ");
            Assert.True(Same(expected.KeypointMask, actual.KeypointMask), "keypoint masks differ");
            Assert.True(Same(expected.Siglip, actual.Siglip), "SigLIP features differ");
            Assert.True(Same(expected.SiglipMask, actual.SiglipMask), "SigLIP masks differ");
        }
        Assert.True(loader.IsCompleted);
        Assert.Throws<InvalidOperationException>(() => loader.Next());
        Assert.True(WaitFor(() => loader.RunningWorkers == 0), "workers still running after the epoch");
    }

    [Fact]
    public void Next_CorruptKeypointFile_ThrowsPhoenixDataExceptionNamingTheFile()
    {
        using var folder = new TempFolder("phoenix-loader");
        string root = TrainingTestData.Synthetic(folder.Combine("data"), train: 8, dev: 0);
        var dataset = PhoenixFeatureDataset.Open(root, "train");
        int[][] batches = Sequential(4);
        string corrupt = dataset.Store.FindFile(FeatureKind.Keypoints, "train", dataset.Samples[5].Name)!;
        File.WriteAllText(corrupt, "this is not a numpy file");

        using var loader = new PrefetchingLoader<PhoenixBatch>(batches, PhoenixBatchLoading.For(dataset, new Collator()), workers: 2);
        loader.Next().Dispose();
        loader.Next().Dispose();
        var error = Assert.Throws<PhoenixDataException>(() => loader.Next()); // batch [4, 5]
        Assert.Equal(corrupt, error.FilePath);
        Assert.Contains(Path.GetFileName(corrupt), error.Message);
        Assert.True(WaitFor(() => loader.RunningWorkers == 0), "workers kept loading after a failure");
    }

    [Fact]
    public void Load_CollatorRejectsSample_WrapsErrorWithSampleNames()
    {
        using var folder = new TempFolder("phoenix-loader");
        string root = TrainingTestData.Synthetic(folder.Combine("data"), train: 2, dev: 0);
        var dataset = PhoenixFeatureDataset.Open(root, "train");

        var error = Assert.Throws<PhoenixDataException>(() => PhoenixBatchLoading.Load(dataset, new Collator(), []));
        Assert.Contains("train samples", error.Message);
        var named = Assert.Throws<PhoenixDataException>(() => PhoenixBatchLoading.Load(dataset, new Collator(), [1, 7]));
        Assert.Contains(dataset.Samples[1].Name, named.Message);
    }

    [Fact]
    public void Dispose_MidEpoch_StopsAllWorkersAndDisposesUndeliveredBatches()
    {
        var made = new ConcurrentBag<FakeBatch>();
        var loader = new PrefetchingLoader<FakeBatch>(Sequential(50), indices =>
        {
            Thread.Sleep(2);
            var batch = new FakeBatch(indices);
            made.Add(batch);
            return batch;
        }, workers: 2, depth: 4);
        var delivered = new[] { loader.Next(), loader.Next(), loader.Next() };
        Assert.True(WaitFor(() => loader.Loaded >= 5), "the workers did not prefetch");

        loader.Dispose();

        Assert.Equal(0, loader.RunningWorkers);
        Assert.All(delivered, b => Assert.False(b.Disposed));
        var undelivered = made.Where(b => !delivered.Contains(b)).ToList();
        Assert.NotEmpty(undelivered);
        Assert.All(undelivered, b => Assert.True(b.Disposed, $"batch starting at {b.Indices[0]} leaked"));
        Assert.True(made.Count < 50, "the workers loaded the whole epoch despite the dispose");
        Assert.Throws<ObjectDisposedException>(() => loader.Next());
    }

    [Fact]
    public void Next_Cancelled_ThrowsOperationCanceledAndDisposeStopsWorkers()
    {
        using var gate = new ManualResetEventSlim(false);
        var loader = new PrefetchingLoader<FakeBatch>(Sequential(6), indices =>
        {
            gate.Wait();
            return new FakeBatch(indices);
        }, workers: 2);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        Assert.ThrowsAny<OperationCanceledException>(() => loader.Next(cancel.Token));

        gate.Set();
        loader.Dispose();
        Assert.Equal(0, loader.RunningWorkers);
    }

    [Fact]
    public void Workers_ConsumerWaits_BlockAtQueueDepth()
    {
        int loads = 0;
        using var loader = new PrefetchingLoader<FakeBatch>(Sequential(20), indices =>
        {
            Interlocked.Increment(ref loads);
            return new FakeBatch(indices);
        }, workers: 2, depth: 3);

        Assert.True(WaitFor(() => Volatile.Read(ref loads) >= 3), "the workers did not fill the queue");
        Thread.Sleep(200);                      // ample time to overrun the queue if nothing blocked them
        Assert.Equal(3, Volatile.Read(ref loads));
        Assert.Equal(3, loader.PeakBuffered);

        loader.Next().Dispose();
        Assert.True(WaitFor(() => Volatile.Read(ref loads) == 4), "a freed slot was not refilled");
        Thread.Sleep(100);
        Assert.Equal(4, Volatile.Read(ref loads));
        Assert.Equal(3, loader.PeakBuffered);
    }

    [Fact]
    public void Constructor_DefaultDepth_IsTwicePerWorker()
    {
        using var loader = new PrefetchingLoader<FakeBatch>(Sequential(1), i => new FakeBatch(i), workers: 2);
        Assert.Equal(4, loader.Depth);
    }
}

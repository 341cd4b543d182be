using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Data.Augmentation;
using PhoenixSlt.Training.Data;
using PhoenixSlt.Training.Phases;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Tests.Data;

/// Augmentation in the loading path: the epoch reaches the load function, each sample's stream depends only on
/// (seed, epoch, index), and prefetching delivers what synchronous loading gives.
public sealed class TrainingAugmentationTests : IDisposable
{
    private static readonly AugmentationOptions Strengths = new()
    {
        RotationDegrees = 10, Scale = 0.1, Shift = 0.1, Speed = 0.2, FrameDrop = 0.1, HandDrop = 0.05,
    };

    private readonly TempFolder _folder = new("phoenix-augment");
    private readonly PhoenixFeatureDataset _dataset;
    private readonly Collator _collator = new(new CollatorOptions(MaxFrames: 64));

    public TrainingAugmentationTests()
        => _dataset = PhoenixFeatureDataset.Open(TrainingTestData.Synthetic(_folder.Combine("data"), train: 8, dev: 0), "train");

    public void Dispose() => _folder.Dispose();

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static void AssertSameBatch(PhoenixBatch expected, PhoenixBatch actual)
    {
        Assert.Equal(expected.Names, actual.Names);
        Assert.Equal(expected.KeypointLengths, actual.KeypointLengths);
        Assert.Equal(expected.SiglipLengths, actual.SiglipLengths);
        Assert.True(Same(expected.Keypoints, actual.Keypoints), "keypoints differ");
        Assert.True(Same(expected.KeypointMask, actual.KeypointMask), "keypoint masks differ");
        Assert.True(Same(expected.Siglip, actual.Siglip), "SigLIP features differ");
        Assert.True(Same(expected.SiglipMask, actual.SiglipMask), "SigLIP masks differ");
    }

    private FeatureSample Augmented(int seed, int epoch, int index)
        => new TrainingAugmentation(Strengths, seed).Apply(_dataset.Get(index), epoch, index);

    [Fact]
    public void Apply_SameSeedEpochAndIndex_SameSample_AnotherEpochOrSeedAnotherOne()
    {
        var first = Augmented(seed: 42, epoch: 3, index: 2);
        var again = Augmented(seed: 42, epoch: 3, index: 2);
        var nextEpoch = Augmented(seed: 42, epoch: 4, index: 2);
        var otherSeed = Augmented(seed: 7, epoch: 3, index: 2);

        Assert.Equal(first.Keypoints, again.Keypoints);
        Assert.Equal(first.Siglip, again.Siglip);
        Assert.NotEqual(first.Keypoints, nextEpoch.Keypoints);
        Assert.NotEqual(first.Keypoints, otherSeed.Keypoints);
    }

    [Fact]
    public void Load_SampleDependsOnlyOnItsIndex_NotOnTheBatchItIsIn()
    {
        var augmentation = new TrainingAugmentation(Strengths, 42);

        using var one = PhoenixBatchLoading.Load(_dataset, _collator, [3, 1], epoch: 2, augmentation);
        using var other = PhoenixBatchLoading.Load(_dataset, _collator, [1, 5, 6], epoch: 2, augmentation);
        using var alone = _collator.Collate([augmentation.Apply(_dataset.Get(1), 2, 1)]);

        int frames = alone.KeypointLengths[0];
        Assert.Equal(frames, one.KeypointLengths[1]);
        Assert.Equal(frames, other.KeypointLengths[0]);
        Assert.True(Same(alone.Keypoints[0], one.Keypoints[1, ..frames]));
        Assert.True(Same(alone.Keypoints[0], other.Keypoints[0, ..frames]));
    }

    [Fact]
    public void Load_WithoutAugmentation_IsThePlainBatch()
    {
        using var plain = _collator.Collate(_dataset.Get([0, 4]));
        using var loaded = PhoenixBatchLoading.For(_dataset, _collator, augmentation: null)([0, 4], 5);

        AssertSameBatch(plain, loaded);
    }

    [Fact]
    public void Load_Augmented_ChangesTheBatchAndKeepsItsMasksConsistent()
    {
        using var plain = _collator.Collate(_dataset.Get([0, 4, 7]));
        using var loaded = PhoenixBatchLoading.Load(_dataset, _collator, [0, 4, 7], epoch: 0, new TrainingAugmentation(Strengths, 42));

        Assert.False(Same(plain.Keypoints, loaded.Keypoints));
        for (int b = 0; b < 3; b++)
        {
            Assert.InRange(loaded.KeypointLengths[b], 1, 64);
            Assert.Equal(loaded.KeypointLengths[b], loaded.KeypointMask[b].sum().item<long>());
            Assert.Equal(loaded.SiglipLengths[b], loaded.SiglipMask[b].sum().item<long>());
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void EpochPrefetcher_AugmentedLoading_DeliversWhatSynchronousLoadingGivesForEachEpoch(int workers)
    {
        var augmentation = new TrainingAugmentation(Strengths, 42);
        var plan = new BatchPlan(_dataset.FrameCounts(), batchSize: 3, seed: 5);
        using var prefetcher = LoaderSettings.Create(_dataset, _collator, workers, augmentation);

        for (int epoch = 0; epoch < 2; epoch++)
        {
            var batches = prefetcher.Plan(epoch, plan.Batches(epoch, rank: 0, worldSize: 1));
            foreach (int[] indices in batches)
            {
                using var expected = PhoenixBatchLoading.Load(_dataset, _collator, indices, epoch, augmentation);
                using var actual = prefetcher.Take(indices, epoch);
                AssertSameBatch(expected, actual);
            }
        }
    }

    [Fact]
    public void EpochPrefetcher_EpochReachesTheLoadFunction_InThePlanOnResumeAndOutsideThePlan()
    {
        int[][] plan = [[0, 1], [2, 3], [4, 5]];
        using var prefetcher = new EpochPrefetcher<EpochBatch>((indices, epoch) => new EpochBatch(indices, epoch), workers: 2);
        prefetcher.Plan(6, plan);
        prefetcher.Plan(7, plan);

        using (var first = prefetcher.Take(plan[0], epoch: 6))
            Assert.Equal(6, first.Epoch);
        using (var skipped = prefetcher.Take(plan[2], epoch: 7))      // another epoch, skipping ahead: a new loader
            Assert.Equal(7, skipped.Epoch);
        using (var outside = prefetcher.Take([9], epoch: 8))
            Assert.Equal(8, outside.Epoch);
    }

    private sealed class EpochBatch(int[] indices, int epoch) : IDisposable
    {
        public int[] Indices { get; } = indices;
        public int Epoch { get; } = epoch;
        public void Dispose() { }
    }
}

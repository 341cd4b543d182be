using PhoenixSlt.Core.Data;
using PhoenixSlt.Core.Data.Augmentation;

namespace PhoenixSlt.Training.Data;

/// The augmentation of training samples in the loader (<see cref="PhoenixBatchLoading"/>): each sample gets its own
/// random stream, <c>System.Random(DeterministicSeed.Mix(seed, epoch, index))</c>, so its augmented features depend
/// only on the run's seed, the epoch and the sample's index in the training split — not on the batch, the loader
/// threads, the rank or a resume. Validation and evaluation never use it.
public sealed record TrainingAugmentation(AugmentationOptions Options, int Seed)
{
    public AugmentationOptions Options { get; } = (Options ?? throw new ArgumentNullException(nameof(Options))).Validated();

    /// The random stream of sample <paramref name="index"/> in <paramref name="epoch"/>.
    public Random RandomFor(int epoch, int index) => new(DeterministicSeed.Mix(Seed, epoch, index));

    /// Sample <paramref name="index"/> of the training split, augmented for <paramref name="epoch"/>.
    public FeatureSample Apply(FeatureSample sample, int epoch, int index)
        => FeatureAugmenter.Augment(sample, Options, RandomFor(epoch, index));
}

using PhoenixSlt.Core.Data;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Data;

/// Loading of one training batch from a <see cref="PhoenixFeatureDataset"/>: read and normalise each sample's
/// features, augment them when the run asks for it (<see cref="TrainingAugmentation"/>), then pad them into a CPU
/// <see cref="PhoenixBatch"/>. Safe to call from several threads at once.
public static class PhoenixBatchLoading
{
    /// Load function for <see cref="PrefetchingLoader{T}"/> / <see cref="EpochPrefetcher{T}"/> (no augmentation).
    public static Func<int[], PhoenixBatch> For(PhoenixFeatureDataset dataset, Collator collator)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(collator);
        return indices => Load(dataset, collator, indices);
    }

    /// Load function of training batches by (indices, epoch) for <see cref="EpochPrefetcher{T}"/>: each sample is
    /// augmented for the epoch when <paramref name="augmentation"/> is given.
    public static Func<int[], int, PhoenixBatch> For(PhoenixFeatureDataset dataset, Collator collator, TrainingAugmentation? augmentation)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(collator);
        return (indices, epoch) => Load(dataset, collator, indices, epoch, augmentation);
    }

    /// The batch of samples <paramref name="indices"/> on the CPU. Failures are <see cref="PhoenixDataException"/>s:
    /// the dataset's own (naming the file) pass through; any other is wrapped with the samples' names.
    public static PhoenixBatch Load(PhoenixFeatureDataset dataset, Collator collator, int[] indices)
        => Load(dataset, collator, indices, epoch: 0, augmentation: null);

    /// <see cref="Load(PhoenixFeatureDataset, Collator, int[])"/> with each sample augmented for
    /// <paramref name="epoch"/> when <paramref name="augmentation"/> is given.
    public static PhoenixBatch Load(PhoenixFeatureDataset dataset, Collator collator, int[] indices, int epoch, TrainingAugmentation? augmentation)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(collator);
        ArgumentNullException.ThrowIfNull(indices);
        try
        {
            var samples = dataset.Get(indices);
            if (augmentation is not null)
                samples = [.. samples.Select((sample, i) => augmentation.Apply(sample, epoch, indices[i]))];
            return collator.Collate(samples, CPU);
        }
        catch (Exception ex) when (ex is not PhoenixDataException)
        {
            string names = string.Join(", ", indices.Select(i => i >= 0 && i < dataset.Count ? dataset.Samples[i].Name : $"#{i}"));
            throw new PhoenixDataException(null,
                $"could not load the batch of {dataset.Split} samples {names}: {ex.Message}. Check those samples' feature files.", ex);
        }
    }
}

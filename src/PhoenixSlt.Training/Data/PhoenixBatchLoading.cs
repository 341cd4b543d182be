using PhoenixSlt.Core.Data;
using static TorchSharp.torch;

namespace PhoenixSlt.Training.Data;

/// Loading of one training batch from a <see cref="PhoenixFeatureDataset"/>: read and normalise each sample's
/// features, then pad them into a CPU <see cref="PhoenixBatch"/>. Safe to call from several threads at once.
public static class PhoenixBatchLoading
{
    /// Load function for <see cref="PrefetchingLoader{T}"/> / <see cref="EpochPrefetcher{T}"/>.
    public static Func<int[], PhoenixBatch> For(PhoenixFeatureDataset dataset, Collator collator)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(collator);
        return indices => Load(dataset, collator, indices);
    }

    /// The batch of samples <paramref name="indices"/> on the CPU. Failures are <see cref="PhoenixDataException"/>s:
    /// the dataset's own (naming the file) pass through; any other is wrapped with the samples' names.
    public static PhoenixBatch Load(PhoenixFeatureDataset dataset, Collator collator, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(collator);
        ArgumentNullException.ThrowIfNull(indices);
        try
        {
            return collator.Collate(dataset.Get(indices), CPU);
        }
        catch (Exception ex) when (ex is not PhoenixDataException)
        {
            string names = string.Join(", ", indices.Select(i => i >= 0 && i < dataset.Count ? dataset.Samples[i].Name : $"#{i}"));
            throw new PhoenixDataException(null,
                $"could not load the batch of {dataset.Split} samples {names}: {ex.Message}. Check those samples' feature files.", ex);
        }
    }
}
